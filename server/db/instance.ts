import type { Queryable } from './db.js';

/**
 * This installation's id (sql/migrations/030_instance.sql): exports carry it, imports compare
 * a file's with it before they take the file's ids for this service's.
 */
export async function instanceId(q: Queryable): Promise<string> {
  const { rows } = await q.query<{ id: string }>('SELECT id::text FROM service_instance');
  return rows[0]!.id;
}

/** An instance id as exports write it: a UUID, compared in lower case. */
export const INSTANCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
