import bytes from 'bytes';
import { z } from 'zod';
import { POSTGRES_DEFAULTS } from './db/postgres.js';
import { DEFAULT_LIMITS, type Limits } from './limits/limits.js';

/** Imports take whole registers and Shapefiles: far more than a JSON edit (BODY_LIMIT). */
export const DEFAULT_IMPORT_LIMIT_BYTES = 64 * 2 ** 20;

/** A whole number within [min, max]. */
const whole = (name: string, min: number, max: number) => z.coerce.number({ error: `${name} must be a whole number` })
  .int(`${name} must be a whole number`).min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`);

/** A whole number of at least 1 (a count, megabytes, seconds). */
const count = (name: string) => whole(name, 1, Number.MAX_SAFE_INTEGER);

const size = (name: string) => z.string().transform((s, ctx) => {
  const n = bytes.parse(s);
  if (n === null || !Number.isFinite(n) || n <= 0) {
    ctx.addIssue({ code: 'custom', message: `${name} must be a size such as 64mb or 500kb` });
    return z.NEVER;
  }
  return n;
});

/** Milliseconds as a whole number within [min, max]. */
const ms = (name: string, min: number, max: number) =>
  z.coerce.number({ message: `${name} must be a number of milliseconds` }).int(`${name} must be whole milliseconds`)
    .min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`);

/**
 * Express's `trust proxy`: which hops' X-Forwarded-For to believe when telling clients apart.
 * `true`/`false`, a number of hops, or addresses, subnets and names (`loopback`, `uniquelocal`).
 */
const trustProxy = z.string().transform((s): boolean | number | string =>
  s === 'true' ? true : s === 'false' ? false : /^\d+$/.test(s) ? Number(s) : s);

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  DEMO_PASSWORD: z.string().min(8, 'DEMO_PASSWORD must have at least 8 characters').optional(),
  /** Seed the demo city into an empty database at start (default: on for embedded only). */
  SEED_DEMO: z.enum(['auto', 'yes', 'no']).default('auto'),
  /** Size of the seeded demo city: 1 is the full city, 0.05 a small one for quick trials. */
  DEMO_SCALE: z.coerce.number().gt(0, 'DEMO_SCALE must be above 0').max(10, 'DEMO_SCALE must be at most 10').default(1),
  BODY_LIMIT: z.string().default('2mb'),
  /** Largest file an import accepts (POST /api/import/{layer}), e.g. 64mb. */
  IMPORT_BODY_LIMIT: size('IMPORT_BODY_LIMIT').default(DEFAULT_IMPORT_LIMIT_BYTES),
  /**
   * Bounds of one import and of one feature's shape (README "Limits and hardening"); defaults in
   * server/import/limits.ts. Left out, each keeps its default.
   */
  IMPORT_MAX_EXPANDED: size('IMPORT_MAX_EXPANDED').optional(),
  IMPORT_MAX_ENTRIES: count('IMPORT_MAX_ENTRIES').optional(),
  IMPORT_MAX_ROWS: count('IMPORT_MAX_ROWS').optional(),
  IMPORT_MAX_COLUMNS: count('IMPORT_MAX_COLUMNS').optional(),
  IMPORT_MAX_CELLS: count('IMPORT_MAX_CELLS').optional(),
  IMPORT_MAX_LINE: size('IMPORT_MAX_LINE').optional(),
  IMPORT_MAX_DEPTH: count('IMPORT_MAX_DEPTH').optional(),
  IMPORT_MAX_KML: size('IMPORT_MAX_KML').optional(),
  IMPORT_MAX_VERTICES: count('IMPORT_MAX_VERTICES').optional(),
  MAX_FEATURE_VERTICES: count('MAX_FEATURE_VERTICES').optional(),
  IMPORT_WORKER_HEAP_MB: count('IMPORT_WORKER_HEAP_MB').optional(),
  IMPORT_READ_TIMEOUT: count('IMPORT_READ_TIMEOUT').optional(),
  IMPORT_WORKERS: count('IMPORT_WORKERS').optional(),
  /** Memory for rendered tiles when there is no REDIS_URL; 0 caches nothing (for benchmarks). */
  TILE_CACHE_MB: z.coerce.number().int().min(0).max(65536).default(128),
  /**
   * Basemaps on the web offered in the map's switcher: names of presets in tiles/presets
   * (nlsc-emap, nlsc-photo, osm), comma-separated; the first is where the map starts, unless it
   * is `offline`. None by default: the e-map then sends no request off this machine.
   */
  BASEMAP: z.string().transform((s) => s.split(',').map((n) => n.trim()).filter(Boolean)).default([]),
  /** Local basemap archives (.pmtiles, .mbtiles) or folders of them, comma-separated; tiles/ by default. */
  BASEMAP_FILES: z.string().transform((s) => s.split(',').map((n) => n.trim()).filter(Boolean)).optional(),
  /** A raster basemap of one's own as an XYZ template, offered as the preset `custom`. */
  BASEMAP_URL: z.string().url().refine((u) => ['{z}', '{x}', '{y}'].every((k) => u.includes(k)) && /^https?:/.test(u),
    'BASEMAP_URL must be an http(s) XYZ template with {z}, {x} and {y}').optional(),
  BASEMAP_ATTRIBUTION: z.string().default(''),
  /** A Redis command not answered within this is given up, and the tile cache bypassed. */
  REDIS_TIMEOUT_MS: ms('REDIS_TIMEOUT_MS', 10, 60_000).default(250),
  /** While the cache is bypassed, Redis is probed this often; the first answer ends the bypass. */
  REDIS_RETRY_MS: ms('REDIS_RETRY_MS', 100, 600_000).default(1000),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(POSTGRES_DEFAULTS.max),
  PG_ACQUIRE_TIMEOUT_MS: ms('PG_ACQUIRE_TIMEOUT_MS', 100, 600_000).default(POSTGRES_DEFAULTS.acquireTimeoutMs),
  PG_STATEMENT_TIMEOUT_MS: ms('PG_STATEMENT_TIMEOUT_MS', 0, 86_400_000).default(POSTGRES_DEFAULTS.statementTimeoutMs),
  PG_HEAVY_STATEMENT_TIMEOUT_MS: ms('PG_HEAVY_STATEMENT_TIMEOUT_MS', 0, 86_400_000).default(POSTGRES_DEFAULTS.heavyStatementTimeoutMs),
  /** On SIGTERM/SIGINT, requests in flight get this long to finish before their connections are cut. */
  SHUTDOWN_TIMEOUT_MS: ms('SHUTDOWN_TIMEOUT_MS', 0, 600_000).default(10_000),
  TRUST_PROXY: trustProxy.default('loopback'),
  HEAVY_JOBS: whole('HEAVY_JOBS', 1, 64).default(DEFAULT_LIMITS.heavyJobs),
  HEAVY_QUEUE: whole('HEAVY_QUEUE', 0, 10_000).default(DEFAULT_LIMITS.heavyQueue),
  SEARCH_PER_MINUTE: whole('SEARCH_PER_MINUTE', 1, 100_000).default(DEFAULT_LIMITS.searchPerMinute),
  ANALYSIS_PER_MINUTE: whole('ANALYSIS_PER_MINUTE', 1, 100_000).default(DEFAULT_LIMITS.analysisPerMinute),
  LOGIN_PER_MINUTE: whole('LOGIN_PER_MINUTE', 1, 100_000).default(DEFAULT_LIMITS.loginPerMinute),
  LOGIN_FAILURES: whole('LOGIN_FAILURES', 1, 1000).default(DEFAULT_LIMITS.loginFailures),
  LOGIN_ADDRESS_FAILURES: whole('LOGIN_ADDRESS_FAILURES', 1, 100_000).default(DEFAULT_LIMITS.loginAddressFailures),
  ANALYSIS_CACHE_MB: whole('ANALYSIS_CACHE_MB', 0, 65536).default(DEFAULT_LIMITS.analysisCacheMb),
  PATROL_SIGN_IN_METRES: whole('PATROL_SIGN_IN_METRES', 5, 1000).default(DEFAULT_LIMITS.patrolSignInMetres),
});

export type Config = z.infer<typeof schema>;

export function limitsOf(c: Config): Limits {
  return {
    heavyJobs: c.HEAVY_JOBS, heavyQueue: c.HEAVY_QUEUE, searchPerMinute: c.SEARCH_PER_MINUTE,
    analysisPerMinute: c.ANALYSIS_PER_MINUTE, loginPerMinute: c.LOGIN_PER_MINUTE, loginFailures: c.LOGIN_FAILURES,
    loginAddressFailures: c.LOGIN_ADDRESS_FAILURES, analysisCacheMb: c.ANALYSIS_CACHE_MB, patrolSignInMetres: c.PATROL_SIGN_IN_METRES,
  };
}

/** Reads the environment once at start; a bad value stops the process with the reason. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  return parsed.data;
}
