/**
 * npm run bench [-- --only assignment,startup,clusters,analysis,availability,visibility,forecast,plans,web,mobile,import,tiles,ground-tiles,basemaps,hostile,redis-pause,flood,search] [--points N] [--runs N] [--scale S] [--rows N] [--seconds S] [--addresses N] [--cameras N]
 * Runs against embedded PGlite, and against PostgreSQL too when DATABASE_URL is set (the
 * benchmark creates and drops its own scratch database on that server). The tile benchmark
 * (~10 minutes) runs only when named in --only, at its own defaults but --runs; npm run
 * bench:tiles takes all its options. The import benchmark (a few minutes) also runs only when
 * named: --rows sets the register's size (100,000). Every table printed is also written, with the
 * same rows, to --json (bench-results.json). The hostile corpus (a few minutes per
 * backend) too; with REDIS_URL set besides DATABASE_URL, its PostgreSQL server uses Redis.
 * The paused-Redis benchmark (PostgreSQL + Redis, about 3 minutes) too; npm run
 * bench:redis-pause takes all its options.
 * The flood benchmark (a few minutes) too: --seconds sets each load's duration (10); with
 * REDIS_URL its PostgreSQL service uses Redis.
 * The search benchmark (several minutes: it builds a gazetteer of --addresses 門牌, 500,000 by
 * default) too.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { analysisBench } from './analysis.js';
import { availabilityBench } from './availability.js';
import { basemapBench } from './basemaps.js';
import { beatAssignmentBench } from './beat-assignment.js';
import { clusterBench } from './clusters.js';
import { floodBench } from './flood.js';
import { forecastBench } from './forecast.js';
import { hostileBench } from './hostile.js';
import { importBench } from './import.js';
import { mobileBench } from './mobile.js';
import { plansBench } from './plans.js';
import { redisPauseBench } from './redis-pause.js';
import { machineLine, printedTables } from './report.js';
import { searchBench } from './search.js';
import { startupBench } from './startup.js';
import { tileBench } from './tiles.js';
import { visibilityBench } from './visibility.js';
import { webBench } from './web.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    points: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1' },
    rows: { type: 'string', default: '100000' },
    json: { type: 'string', default: 'bench-results.json' },
    seconds: { type: 'string', default: '10' },
    addresses: { type: 'string', default: '500000' },
    cameras: { type: 'string', default: '10000' },
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
if (want('mobile')) console.log(`\n${await mobileBench({ runs: Math.max(runs, 3), scale: Number(values.scale) })}`);
if (want('basemaps')) console.log(`\n${await basemapBench({ runs, tiles: 20_000 })}`);
if (want('analysis')) console.log(`\n${await analysisBench({ runs, databaseUrl: process.env.DATABASE_URL })}`);
if (want('forecast')) console.log(`\n${await forecastBench({ runs, databaseUrl: process.env.DATABASE_URL })}`);
if (want('plans')) console.log(`\n${await plansBench({ runs: Math.max(runs, 3), databaseUrl: process.env.DATABASE_URL })}`);
if (want('visibility')) console.log(`\n${await visibilityBench({ runs: Math.max(runs, 3), databaseUrl: process.env.DATABASE_URL })}`);
if (want('availability')) console.log(`\n${await availabilityBench({ runs: Math.max(runs, 5), cameras: Number(values.cameras), databaseUrl: process.env.DATABASE_URL })}`);
if (values.only?.split(',').includes('import')) {
  console.log(`\n${await importBench({ rows: Number(values.rows), runs, databaseUrl: process.env.DATABASE_URL })}`);
}
if (values.only?.split(',').includes('tiles')) {
  console.log(`\n${await tileBench({ runs, seconds: 10, tiles: 500, scale: 4, db: 'both', databaseUrl: process.env.DATABASE_URL })}`);
}
if (values.only?.split(',').includes('flood')) {
  console.log(`\n${await floodBench({
    runs, seconds: Number(values.seconds), scale: Number(values.scale), databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL,
    progress: (m) => console.error(`[bench:flood] ${m}`),
  })}`);
}
if (values.only?.split(',').includes('redis-pause')) {
  console.log(`\n${await redisPauseBench({ runs, seconds: 10, connections: 8, tiles: 200, scale: Number(values.scale), databaseUrl: process.env.DATABASE_URL })}`);
}
if (values.only?.split(',').includes('hostile')) {
  console.log(`\n${await hostileBench({ databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL })}`);
}
if (values.only?.split(',').includes('ground-tiles')) {
  // The reference ground (issue 13): the block fabric and the administrative areas, z10–z16 over 桃園.
  console.log(`\n${await tileBench({
    runs, seconds: 5, tiles: 300, scale: 0.05, db: 'both', databaseUrl: process.env.DATABASE_URL,
    layers: ['blocks', 'villages', 'towns', 'counties'], over: 'blocks',
  })}`);
}
if (values.only?.split(',').includes('search')) {
  console.log(`\n${await searchBench({ runs, addresses: Number(values.addresses), databaseUrl: process.env.DATABASE_URL })}`);
}

writeFileSync(values.json, `${JSON.stringify({ machine: machineLine(), at: new Date().toISOString(), only: values.only ?? null, tables: printedTables() }, null, 1)}\n`);
console.log(`\nthe same tables as JSON: ${values.json}`);
