import { Router } from 'express';
import type { Db } from '../db/db.js';
import { positionProblem } from '../geo/taiwan.js';
import { badRequest } from '../http/errors.js';
import { parseDecimal } from '../http/numbers.js';
import { onlyParameters, single } from '../http/parameters.js';

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

const coordinate = (query: Record<string, unknown>, name: string) => parseDecimal(single(query[name] ?? '', name), name);

export function locateRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/locate', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    onlyParameters(query, ['lon', 'lat']);
    const lon = coordinate(query, 'lon');
    const lat = coordinate(query, 'lat');
    const problem = positionProblem(lon, lat);
    if (problem) throw badRequest(problem, 'lon');
    res.json(await locate(db, lon, lat));
  });
  return r;
}
