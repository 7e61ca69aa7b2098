import { refusal } from '../http/messages.js';
import { property } from '../layers/registry.js';
import type { LayerDef, PropertyDef } from '../layers/types.js';
import { cameraNameHints } from './camera-names.js';
import type { ColumnPlan } from './headers.js';
import { rowIssue, type RowIssue } from './issues.js';
import type { SourceRecord, SourceTable } from './table.js';
import { readCell } from './values.js';

/**
 * Records of a file turned into candidate features: each mapped cell read for its property,
 * the position taken from coordinate columns, a WKT column or the file's own geometry, and
 * the ids that say which existing feature a row is. Nothing is validated against the registry
 * yet; problems found in reading are kept with the row.
 */

export type Position =
  | { kind: 'xy'; x: number; y: number }
  | { kind: 'wkt'; wkt: string }
  | { kind: 'geometry'; geometry: unknown };

export interface Candidate {
  /** Index in the file's records (0-based), and the row number people see. */
  index: number;
  row: number;
  /** The cell of the column `id` (as exports write it): this service's feature id only if the file says so. */
  idCell?: string;
  /** The instance the file says its ids are of (exports write it beside each id). */
  instance?: string;
  externalId?: string;
  properties: Record<string, unknown>;
  /**
   * Values for what the row lacks, used only when it creates a feature (an update leaves what
   * the file does not say as it is): the import's defaults, a direction read from the name.
   */
  fills: { values: Record<string, unknown>; warnings: RowIssue[] };
  position?: Position;
  errors: RowIssue[];
  warnings: RowIssue[];
}

export interface PositionColumns {
  x?: string;
  y?: string;
  /** lon/lat columns: degrees; take precedence over x/y when a file has both. */
  lon?: string;
  lat?: string;
  wkt?: string;
}

/** Which columns hold the position, from the plan. */
export function positionColumns(plan: readonly ColumnPlan[]): PositionColumns {
  const col = (t: string) => plan.find((c) => c.target === t)?.column;
  const [lon, lat, x, y, wkt] = [col('lon'), col('lat'), col('x'), col('y'), col('wkt')];
  if (lon && lat) return { lon, lat };
  if (x && y) return { x, y };
  return wkt ? { wkt } : {};
}

/** 120°12'30.5"E, 22°59'30"N: degrees, minutes and seconds as some registers write them. */
const DMS = /^(\d{1,3})\s*[°度]\s*(\d{1,2})\s*['′’分]\s*(?:(\d{1,2}(?:\.\d+)?)\s*["″”秒]?)?\s*([NSEW東西南北])?$/i;

/** A coordinate cell: a number (full-width digits folded), or degrees-minutes-seconds. */
export function readCoordinate(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const s = raw.normalize('NFKC').trim().replace(/,/g, '');
  if (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return Number(s);
  const m = DMS.exec(s);
  if (!m) return undefined;
  const value = Number(m[1]) + Number(m[2]) / 60 + Number(m[3] ?? 0) / 3600;
  return m[4] && /[SW西南]/i.test(m[4]) ? -value : value;
}

const empty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function positionOf(record: SourceRecord, cols: PositionColumns, issues: RowIssue[]): Position | undefined {
  const pair = (a: string, b: string): Position | undefined => {
    const [ra, rb] = [record.cells[a], record.cells[b]];
    if (empty(ra) && empty(rb)) return undefined;
    const [x, y] = [readCoordinate(ra), readCoordinate(rb)];
    if (x === undefined || y === undefined) {
      const bad = x === undefined ? [a, ra] : [b, rb];
      const [column, value] = [String(bad[0]), String(bad[1] ?? '')];
      issues.push(rowIssue('coordinate_not_number', { column, value }, { field: 'geometry', column }));
      return undefined;
    }
    return { kind: 'xy', x, y };
  };
  if (cols.lon && cols.lat) return pair(cols.lon, cols.lat);
  if (cols.x && cols.y) return pair(cols.x, cols.y);
  if (cols.wkt && !empty(record.cells[cols.wkt])) return { kind: 'wkt', wkt: String(record.cells[cols.wkt]).trim() };
  if (record.geometry !== undefined && record.geometry !== null) return { kind: 'geometry', geometry: record.geometry };
  return undefined;
}

/**
 * Constant values for properties the file lacks (a CCTV list has no field of view): read like
 * cells, so `{"owner_kind": "警察機關"}` works; a bad one is a 400 naming `defaults`.
 */
export function readDefaults(layer: LayerDef, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(given ?? {})) {
    const prop = property(layer, name);
    if (!prop || prop.derived) {
      throw refusal(400, 'defaults_unknown', { name, layer: layer.title }, { field: 'defaults' });
    }
    const cell = readCell(prop, raw);
    if ('error' in cell) throw refusal(400, 'defaults_invalid', { label: prop.label, name, ...cell.error }, { field: 'defaults' });
    if ('value' in cell) out[name] = cell.value;
  }
  return out;
}

export function buildCandidates(layer: LayerDef, table: SourceTable, plan: readonly ColumnPlan[], defaults: Record<string, unknown>): Candidate[] {
  const mapped = plan.filter((c): c is ColumnPlan & { target: string } => c.target !== null)
    .map((c) => ({ column: c.column, target: c.target, prop: property(layer, c.target) }))
    .filter((c): c is { column: string; target: string; prop: PropertyDef } => c.prop !== undefined);
  const cols = positionColumns(plan);
  const idColumn = plan.find((c) => c.target === 'id')?.column;
  const externalColumn = plan.find((c) => c.target === 'external_id')?.column;
  const instanceColumn = plan.find((c) => c.target === 'instance')?.column;
  const text = (column: string | undefined, record: SourceRecord) => {
    const v = column ? record.cells[column] : undefined;
    return empty(v) ? undefined : String(v).normalize('NFKC').trim();
  };
  const cameras = layer.id === 'cameras';

  return table.records.map((record, index): Candidate => {
    const errors: RowIssue[] = [];
    const warnings: RowIssue[] = [];
    if (record.problem) errors.push(rowIssue('unreadable_row', record.problem));
    const properties: Record<string, unknown> = {};
    for (const { column, target, prop } of mapped) {
      const cell = readCell(prop, record.cells[column]);
      if ('value' in cell) properties[target] = cell.value;
      else if ('error' in cell) errors.push(rowIssue('cell_unreadable', { column, ...cell.error }, { field: `properties.${target}`, column }));
    }
    const fills: Candidate['fills'] = { values: { ...defaults }, warnings: [] };
    // A camera list may say in the name only where the camera looks ("…路口往北") and what it is.
    if (cameras && typeof properties.name === 'string') {
      const hints = cameraNameHints(properties.name);
      for (const [name, value] of Object.entries(hints.values)) {
        if (properties[name] !== undefined || errors.some((e) => e.field === `properties.${name}`)) continue;
        fills.values[name] = value;
        const label = property(layer, name)?.label ?? name;
        fills.warnings.push(rowIssue('from_name', { label, name, value, phrase: hints.phrases[name]! }, { field: `properties.${name}` }));
      }
    }
    const candidate: Candidate = { index, row: record.row, properties, fills, errors, warnings };
    const position = positionOf(record, cols, errors);
    if (position) candidate.position = position;
    const id = text(idColumn, record);
    if (id !== undefined) candidate.idCell = id;
    const instance = text(instanceColumn, record);
    if (instance !== undefined) candidate.instance = instance.toLowerCase();
    const external = text(externalColumn, record);
    if (external !== undefined) candidate.externalId = external;
    return candidate;
  });
}
