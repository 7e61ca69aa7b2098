/**
 * Loads the demo city into the database named by DATABASE_URL (or the embedded one in DATA_DIR):
 *   DATABASE_URL=postgres://… npm run seed [-- --scale 0.1]
 * Migrates first; refuses a database that already holds police units.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { heavyOf } from '../server/db/db.js';
import { migrate } from '../server/db/migrate.js';
import { openDb } from '../server/db/open.js';
import { isEmpty, randomPassword, seedDemo } from '../server/demo/seed.js';

const { values } = parseArgs({ options: { scale: { type: 'string' } } });
// --scale is DEMO_SCALE by another name; the config checks its range either way.
const config = loadConfig(values.scale ? { ...process.env, DEMO_SCALE: values.scale } : process.env);
const scale = config.DEMO_SCALE;
const db = await openDb(config);
// Seeding a large city runs statements longer than interactive requests may.
const work = heavyOf(db);
try {
  await migrate(work);
  if (!(await isEmpty(work))) {
    console.error('the database already holds police units; seed an empty database');
    process.exitCode = 1;
  } else {
    const password = config.DEMO_PASSWORD ?? randomPassword();
    const t = performance.now();
    const counts = await seedDemo(work, { password, scale });
    console.log(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s:`, counts);
    console.log(`demo accounts admin, planner, officer, community; password: ${config.DEMO_PASSWORD ? '(DEMO_PASSWORD)' : password}`);
  }
} finally {
  await db.close();
}
