/** Reference for start-up: PGlite with PostGIS alone, created or reopened in DIR; prints "ready". */
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';

const db = await PGlite.create({ dataDir: process.argv[2], extensions: { postgis } });
await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
console.log('ready');
await db.close();
