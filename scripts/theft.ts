/**
 * Loads the real 桃園 theft points (../shared/data/taoyuan-theft-2015-2019, OGDL-Taiwan-1.0) as
 * incidents into the database named by DATABASE_URL (or the embedded one in DATA_DIR, with the
 * service stopped), so the forecasting methods can be back-tested on real crime:
 *   npm run theft [-- --file path/to/thief.csv]
 * Migrates first; a database that already holds them is left as it is.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../server/config.js';
import { heavyOf } from '../server/db/db.js';
import { migrate } from '../server/db/migrate.js';
import { openDb } from '../server/db/open.js';
import { message } from '../server/http/messages.js';
import { loadTheft, readTheft } from './lib/taoyuan-theft.js';

const { values } = parseArgs({ options: { file: { type: 'string' } } });
const config = loadConfig(process.env);
const db = await openDb(config);
try {
  const work = heavyOf(db);
  await migrate(work);
  const t = performance.now();
  const { rows, outside } = await readTheft(values.file);
  const loaded = await loadTheft(work, rows);
  console.log(loaded ? message('theft_loaded', { rows: loaded, outside, seconds: ((performance.now() - t) / 1000).toFixed(1) }) : message('theft_already', undefined));
} finally {
  await db.close();
}
