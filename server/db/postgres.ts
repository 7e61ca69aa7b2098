import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { logEvent, type LogEvent } from '../log.js';
import { TIME_ZONE, type Db, type Queryable, type Transaction } from './db.js';
import { Notifications } from './notifications.js';

export interface PostgresOptions {
  /** Connections in the pool (PG_POOL_MAX). */
  max?: number;
  /**
   * How long a statement may wait for a connection, a new one included (PG_ACQUIRE_TIMEOUT_MS);
   * past it the request is answered 503 instead of queueing without end.
   */
  acquireTimeoutMs?: number;
  /** Longest statement of interactive work (PG_STATEMENT_TIMEOUT_MS); 0: no limit. */
  statementTimeoutMs?: number;
  /** Longest statement of `heavy` work: imports, analyses, exports (PG_HEAVY_STATEMENT_TIMEOUT_MS); 0: no limit. */
  heavyStatementTimeoutMs?: number;
  log?: LogEvent;
}

export const POSTGRES_DEFAULTS = {
  max: 10, acquireTimeoutMs: 5000, statementTimeoutMs: 15_000, heavyStatementTimeoutMs: 300_000,
} as const satisfies PostgresOptions;

/**
 * A server that stops answering (paused, or cut off without a reset) is not caught by its own
 * statement timeout: the client gives up this much later than the server would have.
 */
const CLIENT_GRACE_MS = 2000;
const clientTimeout = (statementMs: number) => (statementMs > 0 ? statementMs + CLIENT_GRACE_MS : undefined);

/** node-postgres takes a per-query client timeout its type declarations do not list. */
type TimedQuery = pg.QueryConfig & { query_timeout?: number };

function wrap(q: pg.Pool | pg.PoolClient, queryTimeoutMs: number | undefined): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[], opts?: { prepared?: boolean }) {
      // node-postgres prepares a named statement once per connection and reuses it by name.
      const name = opts?.prepared ? `s${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}` : undefined;
      const config: TimedQuery = { text: sql, values: params, ...(name ? { name } : {}), ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs } : {}) };
      const r = await q.query(config);
      return { rows: r.rows as T[] };
    },
    async exec(sql: string) {
      await q.query(sql);
    },
  };
}

/**
 * Runs calls one after another: a transaction's caller may send its next statement before the
 * last one answered (the demo load does, to encode a batch while the database inserts the one
 * before); node-postgres queued that itself, but doing so is deprecated and ends in pg 9.
 */
function oneAtATime(): <T>(call: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (call) => {
    const next = last.then(call, call);
    last = next.catch(() => undefined);
    return next;
  };
}

/**
 * COPY … FROM STDIN on the transaction's connection. A server that stops reading is given up
 * after the client timeout, as a statement would be; the connection is then not reused.
 */
async function copyOn(client: pg.PoolClient, timeoutMs: number | undefined, table: string, columns: readonly string[], rows: string) {
  const copy = client.query(copyFromStdin(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from([rows]), copy, timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {});
}

/**
 * Runs fn in a transaction on a connection of its own. A connection whose rollback fails (the
 * server stopped answering) is destroyed rather than handed to the next caller.
 */
async function inTransaction<T>(pool: pg.Pool, statementTimeoutMs: number, begin: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const timeoutMs = clientTimeout(statementTimeoutMs);
    const statements = wrap(client, timeoutMs);
    const inTurn = oneAtATime();
    const tx: Transaction = {
      query: (sql, params, opts) => inTurn(() => statements.query(sql, params, opts)),
      exec: (sql) => inTurn(() => statements.exec(sql)),
      copyFrom: (table, columns, rows) => inTurn(() => copyOn(client, timeoutMs, table, columns, rows)),
    };
    const result = await fn(tx);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    const rollback: TimedQuery = { text: 'ROLLBACK', query_timeout: CLIENT_GRACE_MS };
    await client.query(rollback).catch((e: Error) => { broken = e; });
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * A pool against PostgreSQL 15+ with PostGIS 3, with a bound on everything that could wait:
 * statements (interactive ones shorter than heavy ones), waiting for a connection, idling in
 * an open transaction, and a server that stops answering.
 */
export function openPostgres(connectionString: string, options: PostgresOptions = {}): Db {
  const o = { ...POSTGRES_DEFAULTS, ...options };
  const log = options.log ?? logEvent;
  // Generic plans: a named tile statement (query's `prepared`) is planned once per connection
  // instead of on every tile (0.9 -> 0.03 ms per z15-16 tile, execution unchanged). This also
  // applies to node-postgres's unnamed parameterised statements; none of ours needs a plan that
  // depends on its values (they select by id, code or index-backed boxes).
  // A transaction left open by a stuck caller holds its locks at most as long as a heavy statement may run.
  const settings = [
    `TimeZone=${TIME_ZONE}`, 'plan_cache_mode=force_generic_plan', `statement_timeout=${o.statementTimeoutMs}`,
    `idle_in_transaction_session_timeout=${o.heavyStatementTimeoutMs}`,
  ];
  const pool = new pg.Pool({
    connectionString, max: o.max, connectionTimeoutMillis: o.acquireTimeoutMs, keepAlive: true,
    options: settings.map((s) => `-c ${s}`).join(' '),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => log('warn', 'db.idle_client_error', { reason: err.message }));
  const notifications = new Notifications({ connectionString, keepAlive: true, connectionTimeoutMillis: o.acquireTimeoutMs }, log);

  // Heavy work runs each statement in a transaction that lifts the limit for itself (SET LOCAL),
  // on the same pool: a connection never keeps a limit it was not opened with.
  const heavyBegin = `BEGIN; SET LOCAL statement_timeout = ${o.heavyStatementTimeoutMs}`;
  const heavy: Db = {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[], opts?: { prepared?: boolean }) {
      return inTransaction(pool, o.heavyStatementTimeoutMs, heavyBegin, (tx) => tx.query<T>(sql, params, opts));
    },
    exec: (sql) => inTransaction(pool, o.heavyStatementTimeoutMs, heavyBegin, (tx) => tx.exec(sql)),
    transaction: (fn) => inTransaction(pool, o.heavyStatementTimeoutMs, heavyBegin, fn),
    listen: (channel, on) => notifications.listen(channel, on),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: async () => {},
  };
  return {
    kind: 'postgres',
    ...wrap(pool, clientTimeout(o.statementTimeoutMs)),
    transaction: (fn) => inTransaction(pool, o.statementTimeoutMs, 'BEGIN', fn),
    heavy,
    listen: (channel, on) => notifications.listen(channel, on),
    close: async () => {
      await notifications.close();
      await pool.end();
    },
    ping: async () => {
      await pool.query('SELECT 1');
    },
  };
}
