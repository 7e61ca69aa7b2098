import type { ImportReport, RowReport } from '../../../server/import/report.js';
import { api, apiError, ApiError } from '../lib/api.js';

/** The import API as the upload page uses it (server/import/routes.ts; README "Import"). */

export interface ImportTarget { target: string; label: string; required: boolean; words: string[] }

/** GET /api/import/{layer}: what the page may offer for a layer. */
export interface ImportInfo {
  layer: string;
  title: string;
  maxBytes: number;
  formats: string[];
  encodings: string[];
  crs: { crs: string; name: string }[];
  targets: ImportTarget[];
  /** A unit layer: checked for gaps and overlaps up to a tolerance, replaceable without a source. */
  units: boolean;
  defaults: { tolerance: number; maxTolerance: number };
}

/** A register imported before, with the settings its next file gets unless told otherwise. */
export interface SavedSource {
  source: string;
  mapping: Record<string, string | null>;
  encoding: string | null;
  crs: string | null;
  updatedBy: string | null;
  updatedAt: string;
  features: number;
}

// The report is the server's own type (type-only: nothing of the server is bundled), so the
// page cannot drift from what the service answers.
export type { ColumnPlan } from '../../../server/import/headers.js';
export type { RowIssue } from '../../../server/import/issues.js';
export type { ImportReport, RowReport } from '../../../server/import/report.js';
export type RowStatus = RowReport['status'];

/** What the page sends besides the file; empty values are left out (the server decides). */
export interface ImportParams {
  dryRun: boolean;
  validOnly: boolean;
  /** 'import' writes rows that likely repeat a feature (the server skips them otherwise). */
  duplicates?: 'import';
  source?: string;
  encoding?: string;
  crs?: string;
  format?: string;
  mapping?: Record<string, string | null>;
  /** Values for fields the file has no column for (or leaves empty), e.g. {"owner_kind": "police"}. */
  defaults?: Record<string, string>;
  /** The file is the whole new set: features of the source (or of a unit layer) it does not list are deleted. */
  replace?: boolean;
  /** Unit layers: m² of gap or overlap that pass. */
  tolerance?: number;
}

export type Phase = 'read' | 'transform' | 'validate' | 'write' | 'check';
export type OnProgress = (phase: Phase, done: number, total: number) => void;

const layerUrl = (layer: string) => `/api/import/${encodeURIComponent(layer)}`;

export const importInfo = (layer: string) => api.get<ImportInfo>(layerUrl(layer));
export const importSources = (layer: string) => api.get<{ sources: SavedSource[] }>(`${layerUrl(layer)}/sources`).then((r) => r.sources);

type Line = { type: 'progress'; phase: Phase; done: number; total: number }
  | { type: 'report'; status: number; report: ImportReport }
  | { type: 'error'; status: number; error: unknown };

/**
 * Sends the file as a multipart form and reads the answer's NDJSON progress stream as it comes.
 * Resolves with the report and its status (200, or 422 when a commit was refused); a file the
 * server cannot read at all, or a request it refuses, throws the ApiError.
 */
export async function postImport(layer: string, file: File, params: ImportParams, onProgress: OnProgress): Promise<{ status: number; report: ImportReport }> {
  const form = new FormData();
  // The parameters before the file, so the server has them when the file arrives.
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '' || v === false) continue;
    form.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  form.append('file', file, file.name);
  const res = await fetch(layerUrl(layer), { method: 'POST', body: form, credentials: 'same-origin', headers: { Accept: 'application/x-ndjson' } });
  // Refused before the import started (sign-in, rights, size, parameters): a plain JSON error.
  if (!res.ok || !res.headers.get('Content-Type')?.includes('ndjson') || !res.body) {
    const text = await res.text();
    throw apiError(res.status, text ? JSON.parse(text) as unknown : undefined);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffered += value;
    const lines = buffered.split('\n');
    buffered = done ? '' : lines.pop()!;
    for (const text of lines) {
      if (!text.trim()) continue;
      const line = JSON.parse(text) as Line;
      if (line.type === 'progress') onProgress(line.phase, line.done, line.total);
      else if (line.type === 'report') return { status: line.status, report: line.report };
      else throw apiError(line.status, line);
    }
    if (done) throw new ApiError(0, 'cut_off', '連線中斷，未收到匯入結果');
  }
}
