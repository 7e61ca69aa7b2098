import bytes from 'bytes';
import { z } from 'zod';
import { DEFAULT_LIMITS, type Limits } from './limits/limits.js';

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

const count = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

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
  /** Memory for rendered tiles when there is no REDIS_URL; 0 caches nothing (for benchmarks). */
  TILE_CACHE_MB: z.coerce.number().int().min(0).max(65536).default(128),
  /**
   * A raster basemap under the map, e.g. NLSC's 臺灣通用電子地圖 (EMAP) or OpenStreetMap, as an
   * XYZ template. Off by default: the e-map then sends no request off this machine.
   */
  BASEMAP_URL: z.string().url().refine((u) => ['{z}', '{x}', '{y}'].every((k) => u.includes(k)),
    'BASEMAP_URL must be an XYZ template with {z}, {x} and {y}').optional(),
  BASEMAP_ATTRIBUTION: z.string().default(''),
  TRUST_PROXY: trustProxy.default('loopback'),
  HEAVY_JOBS: count(1, 64, DEFAULT_LIMITS.heavyJobs),
  HEAVY_QUEUE: count(0, 10_000, DEFAULT_LIMITS.heavyQueue),
  SEARCH_PER_MINUTE: count(1, 100_000, DEFAULT_LIMITS.searchPerMinute),
  ANALYSIS_PER_MINUTE: count(1, 100_000, DEFAULT_LIMITS.analysisPerMinute),
  LOGIN_PER_MINUTE: count(1, 100_000, DEFAULT_LIMITS.loginPerMinute),
  LOGIN_FAILURES: count(1, 1000, DEFAULT_LIMITS.loginFailures),
  LOGIN_ADDRESS_FAILURES: count(1, 100_000, DEFAULT_LIMITS.loginAddressFailures),
  ANALYSIS_CACHE_MB: count(0, 65536, DEFAULT_LIMITS.analysisCacheMb),
});

export type Config = z.infer<typeof schema>;

export function limitsOf(c: Config): Limits {
  return {
    heavyJobs: c.HEAVY_JOBS, heavyQueue: c.HEAVY_QUEUE, searchPerMinute: c.SEARCH_PER_MINUTE,
    analysisPerMinute: c.ANALYSIS_PER_MINUTE, loginPerMinute: c.LOGIN_PER_MINUTE, loginFailures: c.LOGIN_FAILURES,
    loginAddressFailures: c.LOGIN_ADDRESS_FAILURES, analysisCacheMb: c.ANALYSIS_CACHE_MB,
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
