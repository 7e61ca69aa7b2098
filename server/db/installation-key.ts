import { createHmac, randomBytes } from 'node:crypto';
import type { Queryable } from './db.js';

const keys = new WeakMap<object, Promise<Buffer>>();

/**
 * This installation's secret (sql/migrations/045_disclosure_key.sql), written once at random on
 * first use; it never leaves the database. What it keys: the rounding of public figures
 * (server/analysis/published.ts) and, through a key of their own derived from it, the patrol
 * points' QR codes (server/patrol/qr.ts).
 */
export function installationKey(db: Queryable): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    key = (async () => {
      const read = async () => (await db.query<{ key: string }>('SELECT key FROM disclosure_key')).rows[0]?.key;
      let hex = await read();
      if (!hex) {
        await db.query('INSERT INTO disclosure_key (key) VALUES ($1) ON CONFLICT DO NOTHING', [randomBytes(32).toString('hex')]);
        hex = (await read())!;
      }
      return Buffer.from(hex, 'hex');
    })();
    key.catch(() => keys.delete(db));
    keys.set(db, key);
  }
  return key;
}

/** A key for one purpose, derived from the installation's: a secret of one use tells nothing of another's. */
export async function purposeKey(db: Queryable, purpose: string): Promise<Buffer> {
  return createHmac('sha256', await installationKey(db)).update(`emap:${purpose}`).digest();
}
