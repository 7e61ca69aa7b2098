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

/** Inside a transaction: statements, and COPY for bulk loads. */
export interface Transaction extends Queryable {
  /**
   * Appends rows to `table` with COPY (triggers fire as for INSERT; nothing is returned). `rows`
   * is COPY's text format (copyText builds it); table and column names come from code, never
   * from input. On the embedded database several times faster than INSERT … SELECT from a JSON
   * parameter, which parses JSON in WebAssembly.
   */
  copyFrom(table: string, columns: readonly string[], rows: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * The same database for work expected to take a while (imports, analyses, exports,
   * roll-ups): on PostgreSQL its statements may run for PG_HEAVY_STATEMENT_TIMEOUT_MS instead
   * of PG_STATEMENT_TIMEOUT_MS. Absent where there is no such limit (PGlite): use the Db itself.
   */
  readonly heavy?: Db;
  /**
   * Hears NOTIFY on `channel` from every connection to the database, each once its
   * transaction commits. Absent on the embedded database, which one process alone can open
   * (what it would announce, that process knows). Returns a function that stops listening.
   */
  listen?(channel: string, on: Listener): () => void;
  /**
   * The service's start-up work (migrations, the demo seed) is done and requests come next:
   * from now on the database's own thread gives the CPU to the request thread first. Absent
   * where the database runs in a server of its own (PostgreSQL).
   */
  serveRequestsFirst?(): Promise<void>;
  /** Resolves while the database is up (for /api/health); rejects when it is not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What a listener hears: notifications, and when it may have missed some. */
export interface Listener {
  message(payload: string): void;
  /** Listening (again): from now on nothing is missed; re-read what the notifications announce. */
  listening(): void;
  /** The listening connection was lost: notifications may be missed until `listening`. */
  lost(): void;
}

/** The handle for long work: `db.heavy` where the database has one, else `db`. */
export const heavyOf = (db: Db): Db => db.heavy ?? db;

/** Sets who is acting for the rest of the transaction; history rows and created_by read it. */
export async function actAs(tx: Queryable, actor: string): Promise<void> {
  await tx.query(`SELECT set_config('app.actor', $1, true)`, [actor]);
}

/** Sessions speak Taiwan time, so dates, hours of day and JSON timestamps read as officers expect. */
export const TIME_ZONE = 'Asia/Taipei';
