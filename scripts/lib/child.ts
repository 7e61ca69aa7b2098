import { spawn, type ChildProcess } from 'node:child_process';

export interface Started {
  child: ChildProcess;
  /** Milliseconds from spawn until the output matched. */
  elapsedMs: number;
  match: RegExpExecArray;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/**
 * Runs a TypeScript entry point with tsx and resolves once its output matches `ready`; rejects
 * with the output when it exits first or stays silent past `timeoutMs` (then it is killed).
 * Used by the start-up test and benchmark to drive the service as a user starts it.
 */
export function startTsx(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 300_000): Promise<Started> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    // Node with tsx's loader, in one process, so that a signal reaches the program itself: the
    // tsx command runs it in a child and relays signals, and one sent just after start could end
    // the child before the program's own handler heard it. npm start, systemd and Docker do so too.
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let done = false;
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const check = () => {
      const match = ready.exec(out);
      if (done || !match) return;
      done = true;
      clearTimeout(timer);
      resolve({
        child, match, elapsedMs: performance.now() - t, output: () => out,
        stop: () => { if (child.exitCode === null) child.kill('SIGTERM'); return exited; },
      });
    };
    child.stdout!.on('data', (d: Buffer) => { out += d; check(); });
    child.stderr!.on('data', (d: Buffer) => { out += d; check(); });
    void exited.then((code) => {
      clearTimeout(timer);
      if (!done) reject(new Error(`exited with ${code} before printing ${ready}:\n${out}`));
    });
  });
}
