import { countVertices } from '../geo/vertices.js';
import { overLimit, type ImportLimits } from './limits.js';
import type { Candidate } from './rows.js';
import type { SourceTable } from './table.js';

/**
 * The limits every format shares, checked on the table a reader made of a file: rows, columns,
 * rows × columns, the length of a cell, and the vertices of each shape and of all of them. Each
 * reader refuses what it can sooner (a .dbf header, a CSV line, a zip directory); this is what
 * holds whatever the format.
 */
export function checkTable(table: SourceTable, limits: ImportLimits): void {
  const { records, columns } = table;
  if (records.length > limits.maxRows) throw overLimit('too_many_rows', { max: limits.maxRows }, 'maxRows', limits.maxRows);
  if (columns.length > limits.maxColumns) throw overLimit('too_many_columns', { found: columns.length, max: limits.maxColumns }, 'maxColumns', limits.maxColumns);
  const cells = records.length * columns.length;
  if (cells > limits.maxCells) throw overLimit('too_many_cells', { max: limits.maxCells }, 'maxCells', limits.maxCells);
  let vertices = 0;
  for (const r of records) {
    for (const [column, value] of Object.entries(r.cells)) {
      if (typeof value === 'string' && value.length > limits.maxLineChars) {
        throw overLimit('cell_too_long', { row: r.row, column, max: limits.maxLineChars }, 'maxLineChars', limits.maxLineChars);
      }
    }
    if (r.geometry === undefined || r.geometry === null) continue;
    const n = countVertices(r.geometry, limits.maxFeatureVertices);
    if (n > limits.maxFeatureVertices) {
      throw overLimit('feature_too_many_vertices', { max: limits.maxFeatureVertices, row: r.row }, 'maxFeatureVertices', limits.maxFeatureVertices);
    }
    vertices += n;
    if (vertices > limits.maxFileVertices) throw overLimit('file_too_many_vertices', { max: limits.maxFileVertices }, 'maxFileVertices', limits.maxFileVertices);
  }
}

/** Positions of a WKT shape: one more than its commas (a few more between rings: a bound from above). */
function wktPositions(wkt: string): number {
  let commas = 0;
  for (let i = wkt.indexOf(','); i >= 0; i = wkt.indexOf(',', i + 1)) commas++;
  return commas + 1;
}

/** Shapes given as WKT text (a column of a CSV), held to the same vertex limits. */
export function checkWktShapes(candidates: readonly Pick<Candidate, 'row' | 'position'>[], limits: ImportLimits): void {
  let vertices = 0;
  for (const c of candidates) {
    if (c.position?.kind !== 'wkt') continue;
    const n = wktPositions(c.position.wkt);
    if (n > limits.maxFeatureVertices) {
      throw overLimit('feature_too_many_vertices', { max: limits.maxFeatureVertices, row: c.row }, 'maxFeatureVertices', limits.maxFeatureVertices);
    }
    vertices += n;
    if (vertices > limits.maxFileVertices) throw overLimit('file_too_many_vertices', { max: limits.maxFileVertices }, 'maxFileVertices', limits.maxFileVertices);
  }
}
