import type { RowProblem } from '../http/import-messages.js';
import type { Srid } from './crs.js';
import type { EncodingSource, TextEncoding } from './encoding.js';

/** What every reader makes of a file: columns, and one record per row or feature. */

export type FileFormat = 'csv' | 'json' | 'geojson' | 'shapefile' | 'kml' | 'kmz';
export const FILE_FORMATS: readonly FileFormat[] = ['csv', 'json', 'geojson', 'shapefile', 'kml', 'kmz'];

export interface SourceRecord {
  /**
   * The number people find the row by: a CSV row's number in a spreadsheet (the header is row
   * 1, so data starts at 2); a feature's position (1, 2, …) in the other formats.
   */
  row: number;
  /** Column → value: text for CSV, typed values from GeoJSON, KML and .dbf files. */
  cells: Record<string, unknown>;
  /** A GeoJSON geometry in the file's coordinate system (GeoJSON, KML, Shapefile); null: none. */
  geometry?: unknown;
  /** What is wrong with the row as read (a CSV row with the wrong number of cells). */
  problem?: RowProblem;
}

export interface SourceTable {
  format: FileFormat;
  columns: string[];
  records: SourceRecord[];
  /** Text encoding, for formats that are text (or carry text, as a .dbf does). */
  encoding?: { name: TextEncoding; how: EncodingSource };
  /** The coordinate system the file declares (.prj, GeoJSON "crs"; KML is WGS84 by definition). */
  declaredSrid?: Srid;
  /** Whether the format carries geometries (rather than coordinate columns). */
  geometries: boolean;
  warnings: string[];
}

/** Columns in the order they first appear across records. */
export function columnsOf(records: readonly { cells: Record<string, unknown> }[]): string[] {
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.cells)) seen.add(k);
  return [...seen];
}
