import type { CaseContext, HostileCase, HostileRequest } from './cases.js';

/**
 * Runs a hostile case against a service and judges the outcome by the corpus's rules (see
 * cases.ts): its expected answer, no 5xx, health afterwards, nothing written (or only added).
 * The service is reached through a Target, so the same judgement serves the test suite
 * (supertest, the database counted directly) and the benchmark (a server process over HTTP).
 */

/** Rows and the sum of their versions, per table (or per layer): a write of any kind moves one of them. */
export type Snapshot = Record<string, { rows: number; versions: number }>;

export interface Target extends CaseContext {
  send(r: HostileRequest): Promise<{ status: number; body: Record<string, any> }>;
  /** Status of GET /api/health (0 when the server does not answer). */
  health(): Promise<number>;
  snapshot(): Promise<Snapshot>;
}

export interface Outcome {
  name: string;
  status: number;
  code?: string;
  /** The server stopped answering: GET /api/health did not answer 200 afterwards. */
  crashed: boolean;
  /** A 5xx answer. */
  serverError: boolean;
  /** Something was written that the case may not write. */
  partialWrite: boolean;
  /** Everything that differs from what the case expects; empty when it passed. */
  problems: string[];
}

/** What changed between two snapshots that `writes` does not allow. */
function writeProblems(before: Snapshot, after: Snapshot, writes: 'nothing' | 'adds'): string[] {
  const out: string[] = [];
  for (const [table, b] of Object.entries(before)) {
    const a = after[table] ?? { rows: 0, versions: 0 };
    const added = a.rows - b.rows;
    // Rows only added: more rows, each at version 1, and no version of an existing row moved.
    const fine = writes === 'nothing' ? added === 0 && a.versions === b.versions : added >= 0 && a.versions - b.versions === added;
    if (!fine) out.push(`${table}: ${b.rows} rows (versions ${b.versions}) became ${a.rows} (versions ${a.versions})`);
  }
  return out;
}

export async function runCase(c: HostileCase, target: Target): Promise<Outcome> {
  const request = await c.request(target);
  const before = await target.snapshot();
  let answer: { status: number; body: Record<string, any> };
  try {
    answer = await target.send(request);
  } catch (err) {
    answer = { status: 0, body: { error: { message: (err as Error).message } } };
  }
  const health = await target.health();
  const after = await target.snapshot();
  const e = c.expect;
  const code = answer.body.error?.code as string | undefined;
  const problems: string[] = [];
  if (answer.status !== e.status) problems.push(`status ${answer.status}, expected ${e.status}: ${JSON.stringify(answer.body.error ?? answer.body.counts ?? {}).slice(0, 300)}`);
  if (e.code !== undefined && code !== e.code) problems.push(`error code ${code}, expected ${e.code}`);
  if (e.limit !== undefined && answer.body.error?.details?.limit !== e.limit) problems.push(`limit ${answer.body.error?.details?.limit}, expected ${e.limit}`);
  const checked = answer.status === e.status ? e.check?.(answer.body) : undefined;
  if (checked) problems.push(checked);
  if (health !== 200) problems.push(`GET /api/health answered ${health} afterwards`);
  const writes = writeProblems(before, after, e.writes ?? 'nothing');
  problems.push(...writes);
  return {
    name: c.name, status: answer.status, ...(code ? { code } : {}),
    crashed: health !== 200, serverError: answer.status >= 500, partialWrite: writes.length > 0, problems,
  };
}
