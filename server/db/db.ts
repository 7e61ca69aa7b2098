/** What code above the database sees: the same calls on embedded PGlite and on a pg pool. */
export interface Queryable {
  /**
   * One statement with $1.. parameters. `prepared`: a statement run again and again with other
   * values (tiles); PostgreSQL plans it once per connection. Ignored by PGlite.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], opts?: { prepared?: boolean }): Promise<{ rows: T[] }>;
  /** A script of several statements, no parameters. */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves while the database is up (for /api/health); rejects when it is not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Sets who is acting for the rest of the transaction; history rows and created_by read it. */
export async function actAs(tx: Queryable, actor: string): Promise<void> {
  await tx.query(`SELECT set_config('app.actor', $1, true)`, [actor]);
}

/** Sessions speak Taiwan time, so dates, hours of day and JSON timestamps read as officers expect. */
export const TIME_ZONE = 'Asia/Taipei';
