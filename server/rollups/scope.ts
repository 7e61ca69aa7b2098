import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { refusal } from '../http/messages.js';

/**
 * The units a roll-up has a row for: every unit of one level (`by`), under one unit (`unit`) if
 * asked. Police accounts tied to a precinct see their precinct's units only; the bureau (admin)
 * sees all; community and public callers see every unit, since boundaries are public, but only
 * figures from what they may see (see sections.ts).
 */
export const LEVELS = ['bureau', 'precinct', 'station', 'beat'] as const;
export type Level = (typeof LEVELS)[number];

const TABLE: Record<Level, string> = { bureau: 'bureaus', precinct: 'precincts', station: 'stations', beat: 'beats' };
/** The column of a unit's table naming its parent at each higher level. */
const PARENT_COLUMN: Record<Level, Partial<Record<Level, string>>> = {
  bureau: {},
  precinct: { bureau: 'bureau_code' },
  station: { precinct: 'precinct_code', bureau: '(SELECT p.bureau_code FROM precincts p WHERE p.code = u.precinct_code AND p.deleted_at IS NULL)' },
  beat: { station: 'station_code', precinct: 'precinct_code', bureau: '(SELECT p.bureau_code FROM precincts p WHERE p.code = u.precinct_code AND p.deleted_at IS NULL)' },
};

export interface Unit { code: string; name: string; level: Level }

export async function findUnit(db: Queryable, code: string): Promise<Unit | undefined> {
  for (const level of LEVELS) {
    const { rows } = await db.query<{ code: string; name: string }>(`SELECT code, name FROM ${TABLE[level]} WHERE code = $1 AND deleted_at IS NULL`, [code]);
    if (rows[0]) return { ...rows[0], level };
  }
  return undefined;
}

/** A unit's precinct (null for a bureau): whether a precinct account may ask about it. */
async function precinctOf(db: Queryable, u: Unit): Promise<string | null> {
  if (u.level === 'bureau') return null;
  if (u.level === 'precinct') return u.code;
  const { rows } = await db.query<{ precinct_code: string | null }>(`SELECT precinct_code FROM ${TABLE[u.level]} WHERE code = $1 AND deleted_at IS NULL`, [u.code]);
  return rows[0]?.precinct_code ?? null;
}

export interface Scope { by: Level; under: Unit | null; units: Unit[] }

export async function resolveScope(db: Queryable, p: Principal, by: Level, unitCode: string | undefined): Promise<Scope> {
  let under: Unit | null = null;
  if (unitCode !== undefined) {
    under = (await findUnit(db, unitCode)) ?? null;
    if (!under) throw refusal(400, 'rollup_unit_unknown', { code: unitCode }, { field: 'unit' });
  } else if (p.precinctCode && (p.role === 'planner' || p.role === 'officer')) {
    under = (await findUnit(db, p.precinctCode)) ?? null;
  }
  if (under && LEVELS.indexOf(under.level) > LEVELS.indexOf(by)) {
    throw refusal(400, 'rollup_unit_level', { code: under.code, level: under.level, by }, { field: 'unit' });
  }
  if (p.role === 'planner' || p.role === 'officer') {
    const mine = under ? await precinctOf(db, under) : null;
    if (!under || mine !== p.precinctCode) throw refusal(403, 'rollup_outside_precinct', { precinct: p.precinctCode ?? '' }, { field: 'unit' });
  }
  const params: unknown[] = [];
  let where = 'u.deleted_at IS NULL';
  if (under) {
    params.push(under.code);
    where += under.level === by ? ' AND u.code = $1' : ` AND ${PARENT_COLUMN[by][under.level]} = $1`;
  }
  const { rows } = await db.query<{ code: string; name: string }>(`SELECT u.code, u.name FROM ${TABLE[by]} u WHERE ${where} ORDER BY u.code`, params);
  return { by, under, units: rows.map((r) => ({ ...r, level: by })) };
}
