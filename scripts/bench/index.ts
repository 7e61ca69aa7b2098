/**
 * npm run bench [-- --only assignment,startup,clusters,analysis,web,import,tiles,basemaps,search] [--points N] [--runs N] [--scale S] [--rows N] [--addresses N]
 * Runs against embedded PGlite, and against PostgreSQL too when DATABASE_URL is set (the
 * benchmark creates and drops its own scratch database on that server). The tile benchmark
 * (~10 minutes) runs only when named in --only, at its own defaults but --runs; npm run
 * bench:tiles takes all its options. The import benchmark (a few minutes) also runs only when
 * named: --rows sets the register's size (100,000). The search benchmark (several minutes: it
 * builds a gazetteer of --addresses 門牌, 500,000 by default) also runs only when named.
 */
import { parseArgs } from 'node:util';
import { analysisBench } from './analysis.js';
import { basemapBench } from './basemaps.js';
import { beatAssignmentBench } from './beat-assignment.js';
import { clusterBench } from './clusters.js';
import { importBench } from './import.js';
import { machineLine } from './report.js';
import { searchBench } from './search.js';
import { startupBench } from './startup.js';
import { tileBench } from './tiles.js';
import { webBench } from './web.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    points: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' },
    rows: { type: 'string', default: '100000' },
    addresses: { type: 'string', default: '500000' },
  },
});
const runs = Number(values.runs);
const want = (name: string) => !values.only || values.only.split(',').includes(name);

console.log(machineLine());
if (want('assignment')) {
  console.log(`\n${await beatAssignmentBench({ points: Number(values.points), runs, databaseUrl: process.env.DATABASE_URL })}`);
}
if (want('startup')) console.log(`\n${await startupBench(runs)}`);
if (want('clusters')) {
  console.log(`\n${await clusterBench({ runs, scale: Number(values.scale), databaseUrl: process.env.DATABASE_URL })}`);
}
if (want('web')) {
  console.log(`\n${await webBench({ runs: Math.max(runs, 5), scale: Number(values.scale), databaseUrl: process.env.DATABASE_URL })}`);
}
if (want('basemaps')) console.log(`\n${await basemapBench({ runs, tiles: 20_000 })}`);
if (want('analysis')) console.log(`\n${await analysisBench({ runs, databaseUrl: process.env.DATABASE_URL })}`);
if (values.only?.split(',').includes('import')) {
  console.log(`\n${await importBench({ rows: Number(values.rows), runs, databaseUrl: process.env.DATABASE_URL })}`);
}
if (values.only?.split(',').includes('tiles')) {
  console.log(`\n${await tileBench({ runs, seconds: 10, tiles: 500, scale: 4, db: 'both', databaseUrl: process.env.DATABASE_URL })}`);
}
if (values.only?.split(',').includes('search')) {
  console.log(`\n${await searchBench({ runs, addresses: Number(values.addresses), databaseUrl: process.env.DATABASE_URL })}`);
}
