import { Router } from 'express';
import type { Db } from '../db/db.js';
import { positionRefusal } from '../geo/taiwan.js';
import { parseDecimal } from '../http/numbers.js';
import { onlyParameters, single } from '../http/parameters.js';

interface Beat { code: string; name: string }
interface Unit { code: string; name: string; address: string | null; phone: string | null }
interface Village { code: string; name: string; town: string | null; county: string | null }

/**
 * 「我家歸哪個派出所？」: the beat, station, precinct and 村里 of a point, with the station's and
 * precinct's address and phone, for anyone. Beats by the rule in sql/migrations/005 (lowest code
 * on shared edges); each part is null where the point lies outside every one.
 */
export interface Location { beat: Beat | null; station: Unit | null; precinct: Unit | null; village: Village | null }

export async function locate(db: Db, lon: number, lat: number): Promise<Location> {
  const { rows } = await db.query<Location>(
    `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS g)
     SELECT CASE WHEN b.code IS NOT NULL THEN json_build_object('code', b.code, 'name', b.name) END AS beat,
            CASE WHEN s.code IS NOT NULL THEN json_build_object('code', s.code, 'name', s.name, 'address', s.address, 'phone', s.phone) END AS station,
            CASE WHEN r.code IS NOT NULL THEN json_build_object('code', r.code, 'name', r.name, 'address', r.address, 'phone', r.phone) END AS precinct,
            CASE WHEN v.code IS NOT NULL THEN json_build_object('code', v.code, 'name', v.name, 'town', v.town_name, 'county', v.county_name) END AS village
       FROM p
       LEFT JOIN LATERAL locate_beat(p.g) l ON true
       LEFT JOIN beats b ON b.code = l.beat_code AND b.deleted_at IS NULL
       LEFT JOIN stations s ON s.code = l.station_code AND s.deleted_at IS NULL
       LEFT JOIN precincts r ON r.code = l.precinct_code AND r.deleted_at IS NULL
       LEFT JOIN LATERAL locate_village(p.g) v ON true`, [lon, lat]);
  return rows[0]!;
}

const coordinate = (query: Record<string, unknown>, name: string) => parseDecimal(single(query[name] ?? '', name), name);

export function locateRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/locate', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    onlyParameters(query, ['lon', 'lat']);
    const lon = coordinate(query, 'lon');
    const lat = coordinate(query, 'lat');
    const refused = positionRefusal(lon, lat, 'lon');
    if (refused) throw refused;
    res.json(await locate(db, lon, lat));
  });
  return r;
}
