import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTsx } from '../lib/child.js';
import { fmt, median, table } from './report.js';

/** Wall-clock milliseconds from spawning an entry point until it prints `ready`; stops it then. */
async function timeUntil(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<number> {
  const started = await startTsx(args, env, ready);
  await started.stop();
  return started.elapsedMs;
}

/**
 * Embedded start-up as a user meets it (`npm start` until it listens): cold on an empty data
 * folder (create, migrate, seed the demo city) and warm on the folder it left. Reference:
 * PGlite + PostGIS alone, created and reopened.
 */
export async function startupBench(runs: number): Promise<string> {
  const server = (dir: string) => timeUntil(['server/main.ts'],
    { DATA_DIR: dir, PORT: '0', DEMO_PASSWORD: 'bench-password', DATABASE_URL: '', REDIS_URL: '' }, /listening on/);
  const bare = (dir: string) => timeUntil(['scripts/bench/pglite-bare.ts', dir], {}, /ready/);
  const results = { cold: [] as number[], warm: [] as number[], bareCold: [] as number[], bareWarm: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'emap-bench-'));
    const bareDir = await mkdtemp(join(tmpdir(), 'emap-bench-bare-'));
    try {
      results.cold.push(await server(dir));
      results.warm.push(await server(dir));
      results.bareCold.push(await bare(bareDir));
      results.bareWarm.push(await bare(bareDir));
    } finally {
      await rm(dir, { recursive: true, force: true });
      await rm(bareDir, { recursive: true, force: true });
    }
  }
  const row = (name: string, ours: number[], ref: number[]) =>
    [name, ours.map((x) => fmt(x / 1000, 1)).join(' / '), fmt(median(ours) / 1000, 1), fmt(median(ref) / 1000, 1), `${fmt(median(ours) / median(ref), 2)}×`];
  return `Embedded start-up (npm start until listening; median of ${runs} runs; reference: PGlite + PostGIS alone)\n` +
    table(['start', 'seconds per run', 'median s', 'reference s', 'vs reference'], [
      row('cold: create, migrate, seed demo city', results.cold, results.bareCold),
      row('warm: reopen data folder', results.warm, results.bareWarm),
    ]);
}
