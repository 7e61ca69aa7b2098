import type { CellExpected, CellProblem } from '../http/import-messages.js';
import type { PropertyDef, PropertyType } from '../layers/types.js';
import { parseDirection } from './direction.js';

/**
 * Register cells to the values the registry validates (server/layers/schema.ts does the
 * validating; this only reads what people write): numbers with units, yes/no in Chinese, dates
 * in the Republic of China calendar (民國 113 = 2024), choices by their Chinese label, camera
 * directions in words. What cannot be read is said by what was expected (the catalogue's
 * cell_unreadable and defaults_invalid put it in words).
 */

export type Cell = { value: unknown } | { error: CellProblem } | { empty: true };

/** Properties that hold a compass bearing, so "朝北" or "NE" reads as degrees. */
const BEARINGS = new Set(['azimuth']);

/** ROC years are 1911 behind: 民國 113 is 2024. */
const ROC_OFFSET = 1911;

const TRUE = new Set(['是', '有', '可', 'y', 'yes', 't', 'true', '1', 'v', '✓', '✔', '○', '◯', '〇', 'o', '公開', '連網']);
const FALSE = new Set(['否', '無', '不可', 'n', 'no', 'f', 'false', '0', 'x', '×', '✗', '不公開', '未連網']);

/** Other words registers use for choices, by the choice's value. */
const CHOICE_SYNONYMS: Record<string, readonly string[]> = {
  working: ['正常', '良好', '可用', '妥善', 'ok'],
  broken: ['故障', '損壞', '待修', '異常'],
  offline: ['離線', '斷線', '未連線'],
  police: ['警察機關', '警察局', '警方', '警察', '公設'],
  community: ['社區', '里辦公處', '村里', '社區自設'],
  private: ['民間', '私人', '民眾', '商家'],
  listed: ['列管中', '列管', '是'],
  delisted: ['已解除列管', '解除列管', '解列', '否'],
};

const key = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/[\s()（）]/g, '');

function readNumber(s: string): number | undefined {
  const t = s.normalize('NFKC').replace(/,/g, '').replace(/\s*(公尺|米|m|度|°|公里|km)$/i, '').trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

/** A year, plain (2016) or ROC (105, 民國105年). */
function readYear(s: string): number | undefined {
  const t = s.normalize('NFKC').replace(/^民國/, '').replace(/年度?$/, '').trim();
  if (!/^\d{2,4}$/.test(t)) return undefined;
  const n = Number(t);
  return n < 1000 ? n + ROC_OFFSET : n;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A date as YYYY-MM-DD from 2024-05-01, 2024/5/1, 2024.05.01, 20240501, 2024年5月1日, and the
 * ROC forms 113/05/01, 113-5-1, 1130501, 民國113年5月1日. Validity of the day is checked by the
 * registry, which refuses 2024-02-30.
 */
function readDate(s: string): string | undefined {
  const t = s.normalize('NFKC').trim().replace(/^民國\s*/, '');
  const m = /^(\d{2,4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(t)
    ?? /^(\d{3,4})(\d{2})(\d{2})$/.exec(t);
  if (!m) return undefined;
  const y = Number(m[1]);
  const year = m[1]!.length <= 3 ? y + ROC_OFFSET : y;
  return `${year}-${pad(Number(m[2]))}-${pad(Number(m[3]))}`;
}

/** A date and a time (no offset means Taiwan time, as the registry reads it), or an ISO time as is. */
function readTimestamp(s: string): string | undefined {
  const t = s.normalize('NFKC').trim();
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) return t;
  const m = /^(.+?)[\sT]+(上午|下午)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  const date = readDate(m ? m[1]! : t);
  if (!date) return undefined;
  if (!m) return `${date}T00:00:00`;
  let hour = Number(m[3]);
  if (m[2] === '下午' && hour < 12) hour += 12;
  if (m[2] === '上午' && hour === 12) hour = 0;
  return `${date}T${pad(hour)}:${m[4]}:${m[5] ?? '00'}`;
}

function readChoice(t: Extract<PropertyType, { kind: 'enum' }>, s: string): string | undefined {
  const k = key(s);
  for (const c of t.choices) {
    if (key(c.value) === k || key(c.label) === k || CHOICE_SYNONYMS[c.value]?.some((w) => key(w) === k)) return c.value;
  }
  return undefined;
}

function readIds(s: string): number[] | undefined {
  const parts = s.normalize('NFKC').replace(/^\[|\]$/g, '').split(/[,;、\s]+/).filter(Boolean);
  return parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : undefined;
}

/** What a cell of the property should hold: its type's kind, a year, or a bearing. */
function expected(prop: PropertyDef): CellExpected {
  const t = prop.type;
  if (t.kind === 'integer' && t.max === 'current-year') return 'year';
  if (t.kind === 'number' && BEARINGS.has(prop.name)) return 'bearing';
  return t.kind;
}

function readString(prop: PropertyDef, s: string): unknown {
  const t = prop.type;
  switch (t.kind) {
    case 'text':
      return s;
    case 'enum':
      return readChoice(t, s);
    case 'integer':
      return t.max === 'current-year' ? readYear(s) : readNumber(s);
    case 'number':
      return readNumber(s) ?? (BEARINGS.has(prop.name) ? parseDirection(s) ?? undefined : undefined);
    case 'boolean': {
      const k = key(s);
      return TRUE.has(k) ? true : FALSE.has(k) ? false : undefined;
    }
    case 'date':
      return readDate(s);
    case 'timestamp':
      return readTimestamp(s);
    case 'reference':
      return readNumber(s);
    case 'ids':
      return readIds(s);
    case 'indicators':
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return undefined;
      }
  }
}

/**
 * One cell for one property. Strings are read as above; values that already have a type (from
 * GeoJSON, KML or a .dbf) pass through, except numbers for text (a phone number) and
 * whole-number years before 1000 (ROC years).
 */
export function readCell(prop: PropertyDef, raw: unknown): Cell {
  if (raw === undefined || raw === null) return { empty: true };
  if (typeof raw === 'string') {
    const s = raw.trim();
    if (s === '') return { empty: true };
    const value = readString(prop, s);
    if (value === undefined) {
      return { error: { value: s, expected: expected(prop), ...(prop.type.kind === 'enum' ? { choices: prop.type.choices } : {}) } };
    }
    return { value };
  }
  if (typeof raw === 'number' && prop.type.kind === 'text') return { value: String(raw) };
  if (typeof raw === 'number' && prop.type.kind === 'integer' && prop.type.max === 'current-year' && raw < 1000) {
    return { value: raw + ROC_OFFSET };
  }
  return { value: raw };
}
