import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';
import { createApp } from '../../server/app.js';
import type { Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { openPglite } from '../../server/db/pglite.js';
import { openPostgres } from '../../server/db/postgres.js';
import { seedDemo } from '../../server/demo/seed.js';
import { fileReader } from '../../server/import/file-reader.js';
import { DEFAULT_IMPORT_LIMITS } from '../../server/import/limits.js';
import { readSource } from '../../server/import/read.js';
import { fmt, median, table } from './report.js';
import { databaseUrl, onServer } from './scratch-db.js';

/**
 * A 100,000-row camera register imported as a user imports it: a Big5 CSV with Chinese headers
 * and TWD97 X/Y, posted to POST /api/import/cameras of the service (in this process, over HTTP,
 * as the CLI posts it) by the bureau's admin, into the demo city (188 beats). Each run starts
 * from the same seeded database (for PGlite, in a data directory on disk, as the service keeps
 * it); the import is committed, then the same file is imported again (every row unchanged).
 * Points are spread over the city's beats by PostGIS (ST_GeneratePoints) and projected to TWD97
 * by ST_Transform, the reference the import transforms back with.
 */
const PASSWORD = 'bench-password';

async function registerCsv(db: Db, rows: number): Promise<Buffer> {
  const { rows: points } = await db.query<{ x: number; y: number }>(
    `SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (
       SELECT ST_Transform((ST_Dump(ST_GeneratePoints(ST_Union(geom), $1, 20260101))).geom, 3826) AS p
         FROM beats WHERE deleted_at IS NULL) s`, [rows]);
  const statuses = ['正常', '正常', '正常', '故障', '離線'];
  const owners = ['警察機關', '社區', '民間'];
  const lines = ['監視器編號,名稱,方向,視角,距離,設置單位,狀態,建置年度,TWD97X,TWD97Y'];
  points.forEach((p, i) => {
    lines.push([`CAM${String(i).padStart(6, '0')}`, `路口${i}號攝影機`, ['朝北', '往東南', '西', '135'][i % 4], 60 + (i % 4) * 10, 30 + (i % 5) * 10,
      owners[i % 3], statuses[i % 5], `${100 + (i % 14)}年`, p.x.toFixed(2), p.y.toFixed(2)].join(','));
  });
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'cp950');
}

interface Timed { seconds: number; phases: Record<string, number>; counts: Record<string, number> }

/** Posts the file as the CLI does (NDJSON progress) and times it, with when each phase began. */
async function postImport(url: string, token: string, body: Buffer): Promise<Timed> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/import/cameras?source=${encodeURIComponent('監視器維護契約')}`, {
    method: 'POST', body: new Uint8Array(body), headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv', Accept: 'application/x-ndjson' },
  });
  const phases: Record<string, number> = {};
  let last: { type: string; report?: { counts: Record<string, number>; message: string } } | undefined;
  let pending = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      last = JSON.parse(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
      const phase = (last as { phase?: string }).phase;
      if (phase && phases[phase] === undefined) phases[phase] = (performance.now() - t0) / 1000;
    }
  }
  if (last?.type !== 'report') throw new Error(`import failed: ${JSON.stringify(last)}`);
  return { seconds: (performance.now() - t0) / 1000, phases, counts: last.report!.counts };
}

/** The seeded starting point and a way to open a fresh copy of it for each run. */
async function startingPoint(kind: 'pglite' | 'postgres', serverUrl?: string): Promise<{ open: () => Promise<Db>; dispose: () => Promise<void> }> {
  if (kind === 'pglite') {
    const seeded = await openPglite();
    await migrate(seeded);
    await seedDemo(seeded, { password: PASSWORD, scale: 0.05 });
    const dump = await seeded.dumpDataDir();
    await seeded.close();
    // On disk, as the service keeps it (DATA_DIR): an in-memory PGlite grows its files by
    // copying them, which costs an import of this size about 10 s more than the disk does.
    const dirs: string[] = [];
    return {
      open: async () => {
        const dir = await mkdtemp(join(tmpdir(), 'emap-bench-import-'));
        dirs.push(dir);
        return openPglite({ dataDir: dir, loadDataDir: dump });
      },
      dispose: async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }); },
    };
  }
  const admin = (sql: string) => onServer(serverUrl!, sql);
  const template = `emap_bench_import_${process.pid}`;
  const withDb = (name: string) => databaseUrl(serverUrl!, name);
  await admin(`DROP DATABASE IF EXISTS ${template}`);
  await admin(`CREATE DATABASE ${template}`);
  const seeded = openPostgres(withDb(template));
  await migrate(seeded);
  await seedDemo(seeded, { password: PASSWORD, scale: 0.05 });
  await seeded.close();
  let n = 0;
  const copies: string[] = [];
  return {
    open: async () => {
      const name = `${template}_${n++}`;
      await admin(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      copies.push(name);
      return openPostgres(withDb(name));
    },
    dispose: async () => { for (const name of [...copies, template]) await admin(`DROP DATABASE IF EXISTS ${name}`); },
  };
}

/**
 * Reading the file (bytes to the table of rows the import then works on), as the service does it
 * (in a worker thread: server/import/file-reader.ts) against the reference of reading it in the
 * request's own thread, as it did before: the time until the table is in hand, and the longest
 * the event loop was held up meanwhile (what every other request waits).
 */
export async function readPhase(file: Buffer, runs: number): Promise<string> {
  const reader = fileReader(DEFAULT_IMPORT_LIMITS);
  const ways: [string, () => Promise<unknown>][] = [
    ['in the request thread (reference)', () => readSource(file, {}, DEFAULT_IMPORT_LIMITS)],
    ['in a worker thread (the service)', () => reader.read(file, {}, new AbortController().signal)],
  ];
  const results = new Map<string, { ms: number[]; blocked: number[] }>(ways.map(([name]) => [name, { ms: [], blocked: [] }]));
  // The two ways take turns, so that a busy machine weighs on both alike.
  for (let run = 0; run < runs; run++) {
    for (const [name, read] of ways) {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      // A delay is measured from the sample before it: take one before the read starts.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const t = performance.now();
      await read();
      const ms = performance.now() - t;
      // The sampling timer fires late after a block: give it that turn before reading the histogram.
      await new Promise((resolve) => setTimeout(resolve, 50));
      delay.disable();
      results.get(name)!.ms.push(ms);
      results.get(name)!.blocked.push(delay.max / 1e6);
    }
  }
  const reference = median(results.get(ways[0]![0])!.ms);
  return `Reading the file (${fmt(file.length / 2 ** 20, 1)} MB Big5 CSV) into its table of rows, the two ways taking turns; median of ${runs} runs\n` +
    table(['read', 'ms per run', 'median ms', 'vs reference', 'event loop held up, median of the longest (ms)'], ways.map(([name]) => {
      const r = results.get(name)!;
      return [name, r.ms.map((x) => fmt(x)).join(' / '), fmt(median(r.ms)), `${fmt(median(r.ms) / reference, 2)}×`, fmt(median(r.blocked))];
    }));
}

export async function importBench(opts: { rows: number; runs: number; databaseUrl?: string }): Promise<string> {
  const out: string[] = [];
  const kinds: ('pglite' | 'postgres')[] = opts.databaseUrl ? ['pglite', 'postgres'] : ['pglite'];
  let file: Buffer | undefined;
  for (const kind of kinds) {
    const start = await startingPoint(kind, opts.databaseUrl);
    try {
      const results: { first: Timed; again: Timed }[] = [];
      for (let run = 0; run < opts.runs; run++) {
        const db = await start.open();
        const app = createApp({ db, importLimitBytes: 256 * 2 ** 20 });
        const server = createServer(app).listen(0, '127.0.0.1');
        await new Promise((r) => server.once('listening', r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
          file ??= await registerCsv(db, opts.rows);
          const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
          const { token } = (await login.json()) as { token: string };
          const first = await postImport(url, token, file);
          const again = await postImport(url, token, file);
          if (first.counts.create !== opts.rows || again.counts.unchanged !== opts.rows) throw new Error(`unexpected counts ${JSON.stringify([first.counts, again.counts])}`);
          results.push({ first, again });
        } finally {
          await new Promise((r) => server.close(r));
          await db.close();
        }
      }
      const row = (what: string, pickRun: (r: { first: Timed; again: Timed }) => Timed) => {
        const seconds = results.map((r) => pickRun(r).seconds);
        const m = median(seconds);
        return [kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL', fmt(opts.rows), what, seconds.map((s) => fmt(s, 1)).join(' / '), fmt(m, 1), fmt(opts.rows / m)];
      };
      const medianRun = [...results].sort((a, b) => a.first.seconds - b.first.seconds)[Math.floor(results.length / 2)]!.first;
      const phases = Object.entries(medianRun.phases).map(([p, s]) => `${p} ${fmt(s, 1)} s`).join(', ');
      out.push(table(['database', 'rows', 'import', 'seconds per run', 'median s', 'rows/s'], [
        row('new register (100% created)', (r) => r.first),
        row('the same file again (100% unchanged)', (r) => r.again),
      ]), `  phases of the median run began at: ${phases}; done at ${fmt(medianRun.seconds, 1)} s (${kind}, file ${fmt((file?.length ?? 0) / 2 ** 20, 1)} MB Big5 CSV, TWD97)`);
    } finally {
      await start.dispose();
    }
  }
  return `Import of a ${fmt(opts.rows)}-row camera register (Big5 CSV, TWD97 X/Y) over HTTP into the demo city; median of ${opts.runs} runs\n${out.join('\n\n')}` +
    (file ? `\n\n${await readPhase(file, Math.max(opts.runs, 5))}` : '');
}
