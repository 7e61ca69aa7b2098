import { Router } from 'express';
import type { Db } from '../db/db.js';
import { positionProblem } from '../geo/taiwan.js';
import { badRequest } from '../http/errors.js';

interface Unit { code: string; name: string; phone?: string | null }
export interface Location { beat: Unit | null; station: Unit | null; precinct: Unit | null }

/** The beat, station and precinct of a point, by the rule in sql/migrations/005 (lowest code on shared edges). */
export async function locate(db: Db, lon: number, lat: number): Promise<Location> {
  const { rows } = await db.query<{ beat: Unit | null; station: Unit | null; precinct: Unit | null }>(
    `SELECT json_build_object('code', b.code, 'name', b.name) AS beat,
            CASE WHEN s.code IS NOT NULL THEN json_build_object('code', s.code, 'name', s.name, 'phone', s.phone) END AS station,
            CASE WHEN p.code IS NOT NULL THEN json_build_object('code', p.code, 'name', p.name, 'phone', p.phone) END AS precinct
       FROM locate_beat(ST_SetSRID(ST_MakePoint($1, $2), 4326)) l
       JOIN beats b ON b.code = l.beat_code AND b.deleted_at IS NULL
       LEFT JOIN stations s ON s.code = l.station_code AND s.deleted_at IS NULL
       LEFT JOIN precincts p ON p.code = l.precinct_code AND p.deleted_at IS NULL`, [lon, lat]);
  return rows[0] ?? { beat: null, station: null, precinct: null };
}

function coordinate(v: unknown, name: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw badRequest(`${name} must be a number in degrees (WGS84)`, name);
  return n;
}

export function locateRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/locate', async (req, res) => {
    const lon = coordinate(req.query.lon, 'lon');
    const lat = coordinate(req.query.lat, 'lat');
    const problem = positionProblem(lon, lat);
    if (problem) throw badRequest(problem, 'lon');
    res.json(await locate(db, lon, lat));
  });
  return r;
}
