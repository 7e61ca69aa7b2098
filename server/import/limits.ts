import type { Config } from '../config.js';
import type { HttpError } from '../http/errors.js';
import { refusal, type MessageCode, type ParamsOf } from '../http/messages.js';

/**
 * How much one import may make the service read, expand, hold and compute: every header of a
 * file is checked against these before the work it announces is done, and the work itself is
 * counted as it happens (README "Limits and hardening"). Each is an environment variable; the
 * defaults take the largest real registers this service meets (the 臺南 basic statistical areas:
 * 12,774 polygons, 568,384 vertices, at most 2,641 in one; a 100,000-row camera register) with
 * room to spare.
 */
export interface ImportLimits {
  /** Bytes the files of one zip (Shapefile, KMZ) may expand to, together: IMPORT_MAX_EXPANDED. */
  maxExpandedBytes: number;
  /** Files (and folders) in one zip: IMPORT_MAX_ENTRIES. */
  maxEntries: number;
  /** Rows, records or features of one file: IMPORT_MAX_ROWS. */
  maxRows: number;
  /** Columns (distinct properties) of one file: IMPORT_MAX_COLUMNS. */
  maxColumns: number;
  /** Rows × columns: what the table costs to hold: IMPORT_MAX_CELLS. */
  maxCells: number;
  /** Characters of one CSV line, and of one cell in any format: IMPORT_MAX_LINE. */
  maxLineChars: number;
  /** Nesting of arrays and objects in a JSON file: IMPORT_MAX_DEPTH. */
  maxDepth: number;
  /** Bytes of KML text (a .kml, or the .kml of a KMZ): parsing it as a document costs ~100 × its size. IMPORT_MAX_KML. */
  maxKmlBytes: number;
  /** Vertices of one shape, as the feature API takes it too: MAX_FEATURE_VERTICES. */
  maxFeatureVertices: number;
  /** Vertices of all the shapes of one file: IMPORT_MAX_VERTICES. */
  maxFileVertices: number;
  /** Heap of the worker thread that reads a file, in MB: IMPORT_WORKER_HEAP_MB. */
  workerHeapMb: number;
  /** Seconds a file may take to read before its worker is stopped: IMPORT_READ_TIMEOUT. */
  readTimeoutSeconds: number;
  /** Files read at the same time (each in its own worker): IMPORT_WORKERS. */
  workers: number;
}

export const DEFAULT_IMPORT_LIMITS: Readonly<ImportLimits> = {
  maxExpandedBytes: 256 * 2 ** 20,
  maxEntries: 1000,
  maxRows: 200_000,
  maxColumns: 500,
  maxCells: 5_000_000,
  maxLineChars: 4 * 2 ** 20,
  maxDepth: 32,
  maxKmlBytes: 8 * 2 ** 20,
  maxFeatureVertices: 100_000,
  maxFileVertices: 1_000_000,
  workerHeapMb: 1024,
  readTimeoutSeconds: 60,
  workers: 2,
};

/** The environment variable of each limit, as the README and the refusals name it. */
export const LIMIT_VARIABLES: Readonly<Record<keyof ImportLimits, string>> = {
  maxExpandedBytes: 'IMPORT_MAX_EXPANDED',
  maxEntries: 'IMPORT_MAX_ENTRIES',
  maxRows: 'IMPORT_MAX_ROWS',
  maxColumns: 'IMPORT_MAX_COLUMNS',
  maxCells: 'IMPORT_MAX_CELLS',
  maxLineChars: 'IMPORT_MAX_LINE',
  maxDepth: 'IMPORT_MAX_DEPTH',
  maxKmlBytes: 'IMPORT_MAX_KML',
  maxFeatureVertices: 'MAX_FEATURE_VERTICES',
  maxFileVertices: 'IMPORT_MAX_VERTICES',
  workerHeapMb: 'IMPORT_WORKER_HEAP_MB',
  readTimeoutSeconds: 'IMPORT_READ_TIMEOUT',
  workers: 'IMPORT_WORKERS',
};

/** The limits the configuration sets, the defaults for the rest. */
export function importLimitsFrom(config: Partial<Config>): ImportLimits {
  const given = Object.fromEntries(Object.entries(LIMIT_VARIABLES)
    .map(([key, variable]) => [key, config[variable as keyof Config]])
    .filter(([, v]) => v !== undefined)) as Partial<ImportLimits>;
  return { ...DEFAULT_IMPORT_LIMITS, ...given };
}

/** The 413 for a limit reached: the catalogue's sentence, and the variable and value for programs. */
export function overLimit<C extends MessageCode>(code: C, params: ParamsOf<C>, limit: keyof ImportLimits, max: number, field = 'file'): HttpError {
  return refusal(413, code, params, { field, details: { limit: LIMIT_VARIABLES[limit], max } });
}
