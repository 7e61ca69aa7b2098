import bytes from 'bytes';
import { z } from 'zod';
import { POSTGRES_DEFAULTS } from './db/postgres.js';

/** Imports take whole registers and Shapefiles: far more than a JSON edit (BODY_LIMIT). */
export const DEFAULT_IMPORT_LIMIT_BYTES = 64 * 2 ** 20;

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
  /** Memory for rendered tiles when there is no REDIS_URL; 0 caches nothing (for benchmarks). */
  TILE_CACHE_MB: z.coerce.number().int().min(0).max(65536).default(128),
  /**
   * A raster basemap under the map, e.g. NLSC's 臺灣通用電子地圖 (EMAP) or OpenStreetMap, as an
   * XYZ template. Off by default: the e-map then sends no request off this machine.
   */
  BASEMAP_URL: z.string().url().refine((u) => ['{z}', '{x}', '{y}'].every((k) => u.includes(k)),
    'BASEMAP_URL must be an XYZ template with {z}, {x} and {y}').optional(),
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
});

export type Config = z.infer<typeof schema>;

/** Reads the environment once at start; a bad value stops the process with the reason. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  return parsed.data;
}
