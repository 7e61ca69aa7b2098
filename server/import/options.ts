import { refusal } from '../http/messages.js';
import { single, unknownParameter } from '../http/parameters.js';
import { assertText } from '../http/text.js';
import { parseCrsParam, type Srid } from './crs.js';
import { parseEncodingParam, type TextEncoding } from './encoding.js';
import { MAX_TOLERANCE_M2 } from './units.js';
import { FILE_FORMATS, type FileFormat } from './table.js';

/**
 * The parameters of POST /api/import/{layer}, from the query string or multipart fields (a
 * field wins over the same query parameter). Each bad one is a 400 naming it.
 */
export interface ImportOptions {
  /** Report only; write nothing. */
  dryRun: boolean;
  /** Write the rows that pass and skip the others, instead of nothing when any row fails. */
  validOnly: boolean;
  /** Delete the features of the source (of the layer, for units) that the file no longer has. */
  replace: boolean;
  encoding?: TextEncoding;
  srid?: Srid;
  /** Column → target (a property, x, y, lon, lat, wkt, id, external_id), or null to skip the column. */
  mapping?: Record<string, string | null>;
  /** Property → value for new features whose row lacks it. */
  defaults?: Record<string, unknown>;
  /** The register the file comes from: namespace of its external ids, key of its saved mapping. */
  source?: string;
  format?: FileFormat;
  filename?: string;
  /** Which key finds the existing feature a row is (server/import/targets.ts); `auto` by default. */
  match: MatchMode;
  /**
   * What becomes of a row that likely repeats a feature that exists (or an earlier row):
   * skipped, reported with the feature it repeats, unless the caller asks to import it anyway.
   */
  duplicates: DuplicateChoice;
  /** Unit layers: gaps and overlaps up to this many m² are accepted; unset, the source's saved one or the default. */
  toleranceM2?: number;
  /** Most features in the report's preview. */
  previewLimit: number;
}

export const DUPLICATE_CHOICES = ['skip', 'import'] as const;
export type DuplicateChoice = (typeof DUPLICATE_CHOICES)[number];

/**
 * How rows find the features they update. auto: this service's ids when the file says it was
 * exported by this instance, else the register's external ids within `source`; a file exported
 * by another instance adds its rows (and updates them when imported again). id: the id column
 * holds this service's ids, whatever the file says. external_id: only the register's ids.
 * none: every row adds a feature. Unit layers are always matched by their code.
 */
export const MATCH_MODES = ['auto', 'id', 'external_id', 'none'] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

export const DEFAULT_PREVIEW = 2000;
export const MAX_PREVIEW = 20_000;

function flag(v: string, field: string): boolean {
  const s = v.trim().toLowerCase();
  if (['', 'true', '1', 'yes'].includes(s)) return true;
  if (['false', '0', 'no'].includes(s)) return false;
  throw refusal(400, 'import_flag', { field }, { field });
}

function jsonObject(v: string, field: string, example: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw refusal(400, 'import_json_object', { field, example }, { field });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw refusal(400, 'import_json_object', { field, example }, { field });
  return parsed as Record<string, unknown>;
}

function number(v: string, field: string, min: number, max: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw refusal(400, 'import_number_range', { field, min, max }, { field });
  return n;
}

const KNOWN = ['dryRun', 'validOnly', 'replace', 'encoding', 'crs', 'mapping', 'defaults', 'source', 'format', 'filename', 'tolerance', 'preview', 'match', 'duplicates'];

export function parseImportOptions(params: Record<string, unknown>): ImportOptions {
  const o: ImportOptions = { dryRun: false, validOnly: false, replace: false, match: 'auto', duplicates: 'skip', previewLimit: DEFAULT_PREVIEW };
  for (const [name, given] of Object.entries(params)) {
    if (!KNOWN.includes(name)) throw unknownParameter(name, KNOWN);
    const raw = single(given, name);
    // Multipart fields do not pass the query-string check.
    assertText(raw, name);
    switch (name) {
      case 'dryRun': o.dryRun = flag(raw, name); break;
      case 'validOnly': o.validOnly = flag(raw, name); break;
      case 'replace': o.replace = flag(raw, name); break;
      case 'encoding': o.encoding = parseEncodingParam(raw); break;
      case 'crs': o.srid = parseCrsParam(raw); break;
      case 'mapping': {
        const m = jsonObject(raw, name, '{"編號": "external_id", "備考": null}');
        for (const [k, t] of Object.entries(m)) if (t !== null && typeof t !== 'string') throw refusal(400, 'import_mapping_target', { column: k }, { field: name });
        o.mapping = m as Record<string, string | null>;
        break;
      }
      case 'defaults': o.defaults = jsonObject(raw, name, '{"owner_kind": "police", "fov": 60}'); break;
      case 'source':
        if (raw.trim().length < 1 || raw.length > 100) throw refusal(400, 'import_source_invalid', undefined, { field: name });
        o.source = raw.trim();
        break;
      case 'format':
        if (!(FILE_FORMATS as string[]).includes(raw)) throw refusal(400, 'import_format', { value: raw, formats: FILE_FORMATS }, { field: name });
        o.format = raw as FileFormat;
        break;
      case 'filename': o.filename = raw; break;
      case 'match':
        if (!(MATCH_MODES as readonly string[]).includes(raw)) {
          throw refusal(400, 'import_match', { value: raw }, { field: name });
        }
        o.match = raw as MatchMode;
        break;
      case 'duplicates':
        if (!(DUPLICATE_CHOICES as readonly string[]).includes(raw)) throw refusal(400, 'import_duplicates', { value: raw }, { field: name });
        o.duplicates = raw as DuplicateChoice;
        break;
      case 'tolerance': o.toleranceM2 = number(raw, name, 0, MAX_TOLERANCE_M2); break;
      case 'preview': o.previewLimit = number(raw, name, 0, MAX_PREVIEW); break;
    }
  }
  return o;
}
