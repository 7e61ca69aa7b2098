import type { FileProblem } from '../http/import-messages.js';
import { refusal } from '../http/messages.js';
import { knownCrs, sridNamed, type Srid } from './crs.js';
import { overLimit } from './limits.js';
import { columnsOf, type SourceRecord } from './table.js';

/**
 * GeoJSON files (a FeatureCollection, one Feature, or an array of Features) and JSON tables (an
 * array of flat objects, read like CSV rows). Older GeoJSON names a projected system in a
 * "crs" member (ogr2ogr writes urn:ogc:def:crs:EPSG::3826); RFC 7946 files have none and are WGS84.
 * A feature's top-level id becomes the column `id`, and a collection's `instance` member (the
 * installation that exported it) the column `instance`, as this service's exports write them.
 */

const unreadable = (problem: FileProblem) => refusal(400, 'unreadable_file', problem, { field: 'file' });

/**
 * Refuses JSON nested deeper than `max` arrays and objects, by one pass over the text before it
 * is parsed: what reads the parsed document (the geometry checks, copying it between threads)
 * recurses, and a hostile nesting would exhaust the stack there.
 */
function checkDepth(text: string, max: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) throw overLimit('nesting_too_deep', { max }, 'maxDepth', max);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

export function parseJson(text: string, maxDepth: number): unknown {
  checkDepth(text, maxDepth);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw unreadable({ problem: 'not_json', detail: (err as Error).message });
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function declaredSrid(doc: Record<string, unknown>): Srid | undefined {
  const crs = doc.crs;
  if (!isObject(crs)) return undefined;
  const name = isObject(crs.properties) ? crs.properties.name : undefined;
  if (typeof name !== 'string') return undefined;
  const srid = sridNamed(name);
  if (srid === undefined) throw refusal(400, 'file_crs_unknown', { from: 'geojson', name, known: knownCrs() }, { field: 'crs' });
  return srid;
}

export function readGeoJson(doc: unknown): { columns: string[]; records: SourceRecord[]; declaredSrid?: Srid } {
  const features = isObject(doc) && doc.type === 'FeatureCollection' ? doc.features
    : isObject(doc) && doc.type === 'Feature' ? [doc]
      : doc;
  if (!Array.isArray(features)) throw unreadable({ problem: 'geojson_no_features' });
  const instance = isObject(doc) && typeof doc.instance === 'string' ? doc.instance : undefined;
  const records = features.map((f, i): SourceRecord => {
    if (!isObject(f) || f.type !== 'Feature') return { row: i + 1, cells: {}, problem: { problem: 'not_feature' } };
    const props = isObject(f.properties) ? f.properties : {};
    const cells = f.id !== undefined && props.id === undefined ? { id: f.id, ...(instance && props.instance === undefined ? { instance } : {}), ...props } : props;
    return { row: i + 1, cells, geometry: f.geometry ?? null };
  });
  const srid = isObject(doc) ? declaredSrid(doc) : undefined;
  return { columns: columnsOf(records), records, ...(srid ? { declaredSrid: srid } : {}) };
}

export function readJsonTable(doc: unknown): { columns: string[]; records: SourceRecord[] } {
  if (!Array.isArray(doc)) throw unreadable({ problem: 'json_table' });
  const records = doc.map((r, i): SourceRecord => (isObject(r) ? { row: i + 1, cells: r } : { row: i + 1, cells: {}, problem: { problem: 'not_object' } }));
  return { columns: columnsOf(records), records };
}
