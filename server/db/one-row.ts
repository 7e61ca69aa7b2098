import type { Queryable } from './db.js';

/**
 * Runs an aggregate query, which answers exactly one row, and fails when it answers none.
 * Embedded PGlite swallows an error GEOS raises inside PostGIS (a robustness failure of an
 * overlay, an invalid input) and answers no rows instead (electric-sql/pglite#916): a check that
 * reads "no rows" as "no problem" would pass what it should refuse. Wrapping the rows a check
 * looks for in an aggregate (json_agg) makes that silence visible.
 */
export async function oneRow<T>(db: Queryable, what: string, sql: string, params: unknown[]): Promise<T> {
  const { rows } = await db.query<T>(sql, params);
  if (rows.length !== 1) throw new Error(`${what}: the database answered ${rows.length} rows where one was due (a geometry operation failed on the embedded database)`);
  return rows[0]!;
}
