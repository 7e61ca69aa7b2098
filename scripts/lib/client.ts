import { createInterface } from 'node:readline';

/**
 * What the command-line tools share: the service's address, and signing in. They talk to the
 * running service over HTTP, like the web app, so they work while it runs (the embedded
 * database has one writer: the service) and against any instance of a deployment.
 */

export const CLIENT_OPTIONS = {
  url: { type: 'string', default: process.env.EMAP_URL ?? 'http://127.0.0.1:8080' },
  token: { type: 'string' },
  user: { type: 'string' },
} as const;

export interface ClientArgs { url: string; token?: string; user?: string }

export class UsageError extends Error {}

async function askPassword(user: string): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError(`no password for ${user}: set EMAP_PASSWORD, or run in a terminal to type it`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Nothing typed is echoed: the prompt is written once and keystrokes are swallowed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => { if (s.startsWith('password')) process.stderr.write(s); };
  const password = await new Promise<string>((resolve) => rl.question(`password for ${user}: `, resolve));
  rl.close();
  process.stderr.write('\n');
  return password;
}

/** The Authorization header: --token (or EMAP_TOKEN), or a sign-in as --user (password from EMAP_PASSWORD or typed). */
export async function authorization(args: ClientArgs): Promise<Record<string, string>> {
  const token = args.token ?? process.env.EMAP_TOKEN;
  if (token) return { Authorization: `Bearer ${token}` };
  if (!args.user) return {};
  const password = process.env.EMAP_PASSWORD ?? (await askPassword(args.user));
  const res = await fetch(new URL('/api/login', args.url), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: args.user, password }),
  });
  const body = (await res.json()) as { token?: string; error?: { message: string } };
  if (!res.ok || !body.token) throw new UsageError(`sign-in as ${args.user} failed: ${body.error?.message ?? res.status}`);
  return { Authorization: `Bearer ${body.token}` };
}

/** An error answer in one line: its message and the field at fault. */
export function errorLine(status: number, body: unknown): string {
  const e = (body as { error?: { code?: string; message?: string; field?: string } })?.error;
  return e ? `${status} ${e.code}: ${e.message}${e.field ? ` (${e.field})` : ''}` : `HTTP ${status}`;
}

/** Runs a tool's main: its exit status, or 2 with the reason for a usage or connection problem. */
export function runCli(main: () => Promise<number>, what: string): void {
  main().then((code) => { process.exitCode = code; }, (err: unknown) => {
    console.error(err instanceof UsageError ? err.message : `${what} failed: ${(err as Error).message}`);
    process.exitCode = 2;
  });
}
