import type { Principal } from '../auth/principal.js';
import type { ErrorFields } from '../threads/errors.js';

/**
 * What the request thread and an analysis thread (analysis-worker.ts) say to each other: the
 * request thread sends a job, the analysis thread asks it to run its statements (the database
 * belongs to the request thread) and finally sends the answer as JSON bytes or a refusal.
 */
export type ToThread =
  | { type: 'run'; name: string; principal: Principal; input: unknown }
  | { type: 'rows'; id: number; rows: unknown[] }
  | { type: 'failed'; id: number; error: ErrorFields };

export type FromThread =
  | { type: 'query'; id: number; sql: string; params: unknown[] }
  | { type: 'answer'; json: Uint8Array }
  | { type: 'refused'; error: RefusalFields };

/** An HttpError as data. */
export interface RefusalFields {
  status: number;
  code: string;
  message: string;
  field?: string;
  headers: Record<string, string>;
  details?: Record<string, unknown>;
}
