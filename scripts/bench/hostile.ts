import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASES, type HostileCase } from '../../test/hostile/cases.js';
import { httpTarget } from '../../test/hostile/http-target.js';
import { runCase, type Outcome } from '../../test/hostile/runner.js';
import { DEFAULT_IMPORT_LIMITS } from '../../server/import/limits.js';
import { startTsx, type Started } from '../lib/child.js';
import { fmt, table, writeJsonRows } from './report.js';
import { databaseUrl, onServer } from './scratch-db.js';

/**
 * The hostile corpus (test/hostile/cases.ts) against the service as it runs: `node --import tsx
 * server/main.ts` in a process of its own with its default limits (and BODY_LIMIT=64mb, so the
 * feature API's vertex limit is what meets the largest shapes), on embedded PGlite with a small
 * demo city, and on PostgreSQL (+ Redis when REDIS_URL is set) when DATABASE_URL is. Counts
 * crashes, 5xx answers and partial writes (every layer listed by the admin before and after
 * each case) and the server's peak resident memory during each attack on an import's memory
 * or time, with the server's V8 heap limit and the import worker's heap limit as references.
 * A server that dies is counted and started again for the next case.
 */

const PASSWORD = 'bench-password';
const MB = 2 ** 20;

/** The resident set's high-water mark of a process, in bytes; clear_refs 5 resets it (Linux). */
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const resetPeak = (pid: number) => writeFileSync(`/proc/${pid}/clear_refs`, '5');
const currentRss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/** The heap limit V8 gives a Node process started as the server is (no flags), in bytes. */
const serverHeapLimit = () => Number(execFileSync(process.execPath, ['-p', 'v8.getHeapStatistics().heap_size_limit'], { encoding: 'utf8' }).trim());

interface Row { backend: string; case: string; resource: boolean; status: number; code: string | null; rssBeforeMb: number; peakRssMb: number | null; crashed: boolean; serverError: boolean; partialWrite: boolean; problems: string[] }

async function startServer(env: NodeJS.ProcessEnv): Promise<{ server: Started; url: string }> {
  const server = await startTsx(['server/main.ts'], env, /listening on (http:\/\/[\d.:]+)/, 600_000);
  return { server, url: server.match[1]! };
}

async function runBackend(kind: 'pglite' | 'postgres', opts: { databaseUrl?: string; redisUrl?: string }): Promise<{ rows: Row[]; idleRss: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'emap-bench-hostile-'));
  const scratch = `emap_bench_hostile_${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    PORT: '0', DATA_DIR: dir, DEMO_PASSWORD: PASSWORD, DEMO_SCALE: '0.05', SEED_DEMO: 'yes', BODY_LIMIT: '64mb',
    DATABASE_URL: '', REDIS_URL: '',
  };
  if (kind === 'postgres') {
    await onServer(opts.databaseUrl!, `DROP DATABASE IF EXISTS ${scratch}`);
    await onServer(opts.databaseUrl!, `CREATE DATABASE ${scratch}`);
    env.DATABASE_URL = databaseUrl(opts.databaseUrl!, scratch);
    env.REDIS_URL = opts.redisUrl ?? '';
  }
  let { server, url } = await startServer(env);
  const rows: Row[] = [];
  let idleRss = 0;
  try {
    let target = await httpTarget(url, PASSWORD);
    idleRss = currentRss(server.child.pid!);
    for (const c of CASES) {
      const pid = server.child.pid!;
      const before = currentRss(pid);
      resetPeak(pid);
      const outcome: Outcome = await runCase(c, target);
      const alive = server.child.exitCode === null && server.child.signalCode === null;
      rows.push(row(kind, c, outcome, before, alive ? peakRss(pid) : null));
      process.stdout.write(`  ${kind} ${c.name}: ${outcome.status} ${outcome.code ?? ''}${outcome.problems.length ? ` PROBLEMS ${outcome.problems.join('; ')}` : ''}\n`);
      if (!alive) {
        ({ server, url } = await startServer(env));
        target = await httpTarget(url, PASSWORD);
      }
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
    if (kind === 'postgres') await onServer(opts.databaseUrl!, `DROP DATABASE IF EXISTS ${scratch}`);
  }
  return { rows, idleRss };
}

const row = (backend: string, c: HostileCase, o: Outcome, before: number, peak: number | null): Row => ({
  backend, case: c.name, resource: c.resource === true, status: o.status, code: o.code ?? null, rssBeforeMb: Math.round(before / MB),
  peakRssMb: peak === null ? null : Math.round(peak / MB), crashed: o.crashed, serverError: o.serverError, partialWrite: o.partialWrite, problems: o.problems,
});

export async function hostileBench(opts: { databaseUrl?: string; redisUrl?: string }): Promise<string> {
  const heap = serverHeapLimit();
  const kinds: ('pglite' | 'postgres')[] = opts.databaseUrl ? ['pglite', 'postgres'] : ['pglite'];
  const results: { kind: 'pglite' | 'postgres'; rows: Row[]; idleRss: number }[] = [];
  for (const kind of kinds) results.push({ kind, ...(await runBackend(kind, opts)) });
  const all = results.flatMap((r) => r.rows);
  writeJsonRows('hostile', all);
  const count = (rows: Row[], f: (r: Row) => boolean) => rows.filter(f).length;
  const label = (k: string) => (k === 'pglite' ? 'embedded PGlite' : `PostgreSQL${opts.redisUrl ? ' + Redis' : ''}`);
  const summary = table(['backend', 'cases', 'crashes', '5xx', 'partial writes', 'other mismatches'], results.map((r) => [
    label(r.kind), r.rows.length, count(r.rows, (x) => x.crashed), count(r.rows, (x) => x.serverError), count(r.rows, (x) => x.partialWrite),
    count(r.rows, (x) => x.problems.length > 0 && !x.crashed && !x.serverError && !x.partialWrite),
  ]));
  const resource = CASES.filter((c) => c.resource).map((c) => [
    c.name, ...results.flatMap((r) => {
      const x = r.rows.find((y) => y.case === c.name)!;
      return [`${x.status} ${x.code ?? ''}`.trim(), fmt(x.rssBeforeMb), x.peakRssMb === null ? 'died' : fmt(x.peakRssMb)];
    }),
  ]);
  const references = results.map((r) => `${label(r.kind)}: ${fmt(r.idleRss / MB)} MB resident when idle`).join('; ');
  return `Hostile corpus against a running server (${CASES.length} cases; demo city at scale 0.05; default limits, BODY_LIMIT=64mb)\n${summary}\n\n` +
    `Resident memory of the server before and at its peak during each attack on an import's memory or time (MB); references: the server's V8 heap limit ${fmt(heap / MB)} MB, ` +
    `an import worker's heap limit ${fmt(DEFAULT_IMPORT_LIMITS.workerHeapMb)} MB (at most ${DEFAULT_IMPORT_LIMITS.workers} at once); ${references}\n` +
    table(['attack', ...results.flatMap((r) => [`${r.kind}: answer`, `${r.kind}: RSS before`, `${r.kind}: peak RSS`])], resource);
}
