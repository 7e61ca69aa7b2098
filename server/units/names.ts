import { Router } from 'express';
import type { Db } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { onlyParameters, single } from '../http/parameters.js';

/** At most this many codes per request: a popup or a list names a handful. */
export const MAX_UNIT_CODES = 50;
const CODE_LENGTH = 40;

/**
 * The names people know units by, for the codes records carry (`P01S01B01` → 大樹派出所第1警勤區,
 * `P01S01` → 大樹派出所, `P01` → 桃園分局). A beat is named with its station, since 「第1警勤區」
 * alone repeats in every station. Unit names and codes are public (anyone reads the units'
 * layers); a code that names no unit is left out.
 */
export async function unitNames(db: Db, codes: readonly string[]): Promise<Record<string, string>> {
  if (codes.length === 0) return {};
  const { rows } = await db.query<{ code: string; name: string }>(
    `WITH wanted AS (SELECT jsonb_array_elements_text($1::jsonb) AS code)
     SELECT code, name FROM precincts WHERE code IN (SELECT code FROM wanted) AND deleted_at IS NULL
     UNION ALL
     SELECT code, name FROM stations WHERE code IN (SELECT code FROM wanted) AND deleted_at IS NULL
     UNION ALL
     SELECT b.code, coalesce(s.name, '') || b.name FROM beats b
       LEFT JOIN stations s ON s.code = b.station_code AND s.deleted_at IS NULL
      WHERE b.code IN (SELECT code FROM wanted) AND b.deleted_at IS NULL`, [JSON.stringify(codes)]);
  return Object.fromEntries(rows.map((r) => [r.code, r.name]));
}

export function unitNameRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/units/names', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    onlyParameters(query, ['codes']);
    const codes = [...new Set(single(query.codes ?? '', 'codes').split(',').map((c) => c.trim()).filter(Boolean))];
    if (codes.length > MAX_UNIT_CODES) throw refusal(400, 'too_many_values', { field: 'codes', max: MAX_UNIT_CODES }, { field: 'codes' });
    if (codes.some((c) => c.length > CODE_LENGTH)) throw refusal(400, 'text_too_long', { field: 'codes', max: CODE_LENGTH }, { field: 'codes' });
    res.set('Cache-Control', 'private, max-age=300').json({ names: await unitNames(db, codes) });
  });
  return r;
}
