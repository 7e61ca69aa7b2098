import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { copyText } from '../../server/db/copy-text.js';
import type { Db } from '../../server/db/db.js';

/**
 * The real 桃園 theft points (../shared/data/taoyuan-theft-2015-2019: 桃園市政府警察局「竊盜點位」,
 * OGDL-Taiwan-1.0) as incidents, to develop and back-test the forecasting methods on. The file
 * gives a date in the ROC calendar and no time of day: each incident is put at noon of its day,
 * Taiwan time, and says so in its description.
 */
export const THEFT_FILE = new URL('../../../shared/data/taoyuan-theft-2015-2019/thief-2015-2019.csv', import.meta.url);

const TYPES: Record<string, string> = {
  機車竊盜: 'scooter_theft', 汽車竊盜: 'car_theft', 住宅竊盜: 'residential_burglary', 自行車竊盜: 'bicycle_theft',
};
/** The actor the rows' history names. */
export const THEFT_ACTOR = 'script:taoyuan-theft';

export interface TheftRow { type: string; occurredAt: string; lon: number; lat: number }

/**
 * The file's rows. A row with an unknown type or a bad date is an error naming its line; a row
 * whose position is not in Taiwan (one has a longitude of 21.24, a digit lost) is left out and
 * counted. Points in other cities are kept: they are as the police published them.
 */
export async function readTheft(file: URL | string = THEFT_FILE): Promise<{ rows: TheftRow[]; outside: number }> {
  const records = parse(await readFile(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
  const rows: TheftRow[] = [];
  records.forEach((r, k) => {
    const type = TYPES[r.type ?? ''];
    const m = /^(\d{2,3})(\d{2})(\d{2})$/.exec(r.time ?? '');
    if (!type || !m) throw new Error(`line ${k + 2}: ${JSON.stringify(r)}`);
    const lon = Number(r.lon);
    const lat = Number(r.lat);
    if (!(lon > 119.9 && lon < 122.1 && lat > 21.8 && lat < 25.4)) return;
    rows.push({ type, occurredAt: `${Number(m[1]) + 1911}-${m[2]}-${m[3]}T12:00:00+08:00`, lon, lat });
  });
  return { rows, outside: records.length - rows.length };
}

/**
 * Writes the rows as incidents in one transaction: copied into a temporary table, then inserted
 * with their units from locate_beat in the statement (as the import does), history attributed to
 * THEFT_ACTOR. Rows already loaded (same actor) are replaced by nothing: a second run loads none.
 */
export async function loadTheft(db: Db, rows: readonly TheftRow[]): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('app.actor', $1, true)`, [THEFT_ACTOR]);
    const { rows: [done] } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents WHERE created_by = $1`, [THEFT_ACTOR]);
    if (done!.n > 0) return 0;
    await tx.query(`CREATE TEMP TABLE theft_rows (type text, occurred_at timestamptz, lon float8, lat float8) ON COMMIT DROP`);
    await tx.copyFrom('theft_rows', ['type', 'occurred_at', 'lon', 'lat'], copyText(rows.map((r) => [r.type, r.occurredAt, r.lon, r.lat])));
    await tx.query(`SELECT set_config('app.units_given', 'on', true)`);
    const { rows: [n] } = await tx.query<{ n: number }>(`
      WITH written AS (
        INSERT INTO incidents (type, occurred_at, source, description, geom, beat_code, station_code, precinct_code)
        SELECT r.type, r.occurred_at, 'report', '桃園市政府警察局竊盜點位（開放資料，僅有日期，時間記為中午）', g.geom, u.beat_code, u.station_code, u.precinct_code
          FROM theft_rows r CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS geom) g
          LEFT JOIN LATERAL locate_beat(g.geom) u ON true
        RETURNING 1)
      SELECT count(*)::int AS n FROM written`);
    await tx.query(`SELECT set_config('app.units_given', 'off', true)`);
    return n!.n;
  });
}
