import { message } from '../http/messages.js';
import type { ColumnPlan } from './headers.js';
import type { RowIssue } from './issues.js';
import type { DuplicateChoice, MatchMode } from './options.js';
import type { CrsReport } from './positions.js';
import type { FileFormat } from './table.js';
import type { UnitsReport } from './units.js';

/** What an import answers, dry run or not: the same report either way. */

/** skip: a likely duplicate of a feature that exists (or of an earlier row), not written (`duplicates=skip`). */
export type RowAction = 'create' | 'update' | 'unchanged' | 'skip';

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
  /** Rows not written as likely duplicates. */
  skip: number;
  delete: number;
}

export interface ImportReport {
  layer: string;
  dryRun: boolean;
  validOnly: boolean;
  duplicates: DuplicateChoice;
  /** Whether the changes were written. */
  committed: boolean;
  /** One sentence for a person (summary, below). */
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

/** The report's sentence: refused as a file, a dry run, refused for its rows, unchanged, or imported. */
export function summary(r: Pick<ImportReport, 'dryRun' | 'committed' | 'validOnly' | 'counts' | 'errors'>): string {
  const c = r.counts;
  if (r.errors.length) return message('import_refused_file', { problems: r.errors.map((e) => e.message) });
  if (r.dryRun) return message('import_dry_run', c);
  if (!r.committed) return message('import_refused_rows', c);
  if (c.create + c.update + c.delete === 0) return message('import_unchanged', c);
  return message('import_done', c);
}
