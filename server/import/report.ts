import type { ColumnPlan } from './headers.js';
import type { RowIssue } from './issues.js';
import type { MatchMode } from './options.js';
import type { CrsReport } from './positions.js';
import type { FileFormat } from './table.js';
import type { UnitsReport } from './units.js';

/** What an import answers, dry run or not: the same report either way. */

export type RowAction = 'create' | 'update' | 'unchanged';

export interface RowReport {
  row: number;
  /** ok: will be (or was) written as is; warning: written, with remarks; error: not written. */
  status: 'ok' | 'warning' | 'error';
  action?: RowAction;
  /** The feature: the one updated, or the one created (after a commit). */
  id?: number;
  /** The beat the feature lies in, as the database assigns it (layers with units). */
  beat?: string | null;
  errors?: RowIssue[];
  warnings?: RowIssue[];
}

export interface Counts {
  rows: number;
  ok: number;
  warning: number;
  error: number;
  create: number;
  update: number;
  unchanged: number;
  delete: number;
}

export interface ImportReport {
  layer: string;
  dryRun: boolean;
  validOnly: boolean;
  /** Whether the changes were written. */
  committed: boolean;
  /** One sentence for a person. */
  message: string;
  source: string | null;
  file: {
    name: string | null;
    format: FileFormat;
    encoding: { name: string; how: string } | null;
    crs: CrsReport | null;
  };
  /** How rows found the features they update (the `match` parameter). */
  match: MatchMode;
  columns: ColumnPlan[];
  counts: Counts;
  /** Remarks on the file as a whole. */
  warnings: string[];
  /** Problems with the file as a whole that refuse it (units that overlap or leave gaps). */
  errors: RowIssue[];
  units?: UnitsReport;
  /** Features deleted because the file no longer has them (`replace=true`). */
  deleted: { id: number; label: string }[];
  rows: RowReport[];
  /** The rows as they would be (or were) stored, with their import status, for a map. */
  preview: {
    type: 'FeatureCollection';
    features: object[];
    /** More rows than the preview holds; `preview=` raises the limit. */
    truncated: boolean;
  };
}

const n = (x: number, what: string) => `${x.toLocaleString('en-US')} ${what}${x === 1 ? '' : 's'}`;

export function summary(r: Pick<ImportReport, 'dryRun' | 'committed' | 'validOnly' | 'counts' | 'errors'>): string {
  const c = r.counts;
  const changes = [c.create && `${c.create} new`, c.update && `${c.update} changed`, c.unchanged && `${c.unchanged} unchanged`, c.delete && `${c.delete} deleted`]
    .filter(Boolean).join(', ');
  const rows = `${n(c.ok + c.warning, 'row')} of ${c.rows.toLocaleString('en-US')} can be imported${changes ? ` (${changes})` : ''}`;
  const bad = c.error ? `; ${n(c.error, 'row')} ${c.error === 1 ? 'has' : 'have'} errors` : '';
  if (r.errors.length) return `refused: ${r.errors.length === 1 ? r.errors[0]!.message : `${r.errors.length} problems with the boundaries`}; nothing was written`;
  if (r.dryRun) return `dry run: ${rows}${bad}; nothing was written`;
  if (!r.committed) return `refused: ${n(c.error, 'row')} ${c.error === 1 ? 'has' : 'have'} errors, so nothing was written; fix them, or send validOnly=true to import the other ${c.ok + c.warning}`;
  if (c.create + c.update + c.delete === 0) return `nothing changed: the layer already holds what the file says (${n(c.unchanged, 'row')} unchanged)`;
  return `imported: ${changes}${c.error ? `; ${n(c.error, 'row')} with errors skipped` : ''}`;
}
