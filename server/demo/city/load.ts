import type { Db, Queryable } from '../../db/db.js';
import { multiPolygonWkbHex } from '../../geo/wkb.js';
import type { Area, Ground } from '../ground.js';
import type { DemoCity } from './model.js';

/**
 * Loads the ground and a generated demo city in one transaction. Rows travel as one JSON array
 * parameter per batch and are inserted set-based, so the embedded database is not crossed once
 * per row. Unit areas come from the ground (unions of its basic areas, exact along shared
 * borders); points carry the beat of the block they were placed in, and polygons are located
 * by the database in the inserting statement.
 */

/** Large enough to keep round trips few, small enough to keep each JSON parameter modest. */
const BATCH_ROWS = 5000;

/** The rows of the JSON array in $1, in array order (e.n), with typed fields (x.*). */
const jsonRows = (columns: string): string =>
  `jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(row, n) CROSS JOIN LATERAL jsonb_to_record(e.row) AS x(${columns})`;
/** An area column: its WKB in hex (see areasAsWkb). */
const polygonFrom = (column: string): string => `ST_GeomFromWKB(decode(${column}, 'hex'), 4326)`;
const pointFrom = (column: string): string => `ST_SetSRID(ST_MakePoint(${column}[1], ${column}[2]), 4326)`;
/**
 * Joins a polygon row's geometry (as `g.geom`) and its units (`u.*`): locate_beat in the
 * inserting statement, as the per-row trigger would (it steps aside in a bulk load).
 */
const located = (geometry: string): string =>
  `CROSS JOIN LATERAL (SELECT ${geometry} AS geom) g LEFT JOIN LATERAL locate_beat(ST_PointOnSurface(g.geom)) u ON true`;
const UNITS = 'beat_code, station_code, precinct_code';
const UNIT_VALUES = 'g.geom, u.beat_code, u.station_code, u.precinct_code';
/** Point rows carry their units from unitsOf (below): the point itself, then the three codes. */
const POINT_UNIT_VALUES = `${pointFrom('x.point')}, x.beat_code, x.station_code, x.precinct_code`;
const POINT_UNIT_COLUMNS = 'point float8[], beat_code text, station_code text, precinct_code text';

type Units = { beat_code: string; station_code: string; precinct_code: string };

/** Station and precinct of each point from its beat. test/demo-city.test.ts checks them against locate_beat. */
function unitsOf(city: DemoCity): <T extends { beat_code: string }>(rows: readonly T[]) => (T & Units)[] {
  const stationOf = new Map(city.beats.map((b) => [b.code, b.station_code]));
  const precinctOf = new Map(city.stations.map((st) => [st.code, st.precinct_code]));
  return (rows) => rows.map((r) => {
    const station_code = stationOf.get(r.beat_code)!;
    return { ...r, station_code, precinct_code: precinctOf.get(station_code)! };
  });
}

/** JSON.stringify replacer: a row's `geometry` (always an area here) travels as WKB hex. */
function areasAsWkb(key: string, value: unknown): unknown {
  return key === 'geometry' ? multiPolygonWkbHex(value as Area) : value;
}

/**
 * Tables whose indexes (except unique ones) are built once after the load instead of grown row
 * by row: an index built over a loaded table costs a fraction of one grown by 52,000 inserts
 * (incidents: 2.5 → 1.1 s on the embedded database). Only tables nothing in the load looks up by
 * those indexes (the beats are: locate_beat places the watch blocks and drone surveys).
 */
const INDEXED_AFTER = ['counties', 'towns', 'villages', 'blocks', 'incidents'];

/** Drops the non-unique indexes of `tables`, runs `load`, and creates them again from their own definitions. */
async function withIndexesBuiltAfter<T>(tx: Queryable, tables: readonly string[], load: () => Promise<T>): Promise<T> {
  const { rows: indexes } = await tx.query<{ name: string; definition: string }>(`
    SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition
      FROM pg_index WHERE NOT indisunique AND indrelid = ANY($1::regclass[])`, [tables]);
  for (const index of indexes) await tx.query(`DROP INDEX ${index.name}`);
  const result = await load();
  for (const index of indexes) await tx.query(index.definition);
  return result;
}

/** The database id of the item at a 0-based index, from a JSON array of ids passed as $2. */
const idAt = (index: string): string => `($2::jsonb ->> ${index})::bigint`;

/**
 * Inserts rows in batches and returns their ids in the order of `rows`. The SELECT feeds rows in
 * array order, identity values are drawn in that order, so sorting the returned ids restores it
 * whatever order RETURNING uses. Ids come back as float8: a number on every driver (node-postgres
 * returns bigint as a string) and exact below 2^53.
 */
async function insertAll(tx: Queryable, rows: readonly unknown[], sql: string, ...more: unknown[]): Promise<number[]> {
  // Every batch is sent before the first answer is awaited: the database inserts one batch while
  // the next is being serialised. The statements still run one after another, in this order.
  const batches: Promise<{ rows: { id: number }[] }>[] = [];
  for (let from = 0; from < rows.length; from += BATCH_ROWS) {
    const batch = JSON.stringify(rows.slice(from, from + BATCH_ROWS), areasAsWkb);
    batches.push(tx.query<{ id: number }>(`${sql} ORDER BY e.n RETURNING id::float8 AS id`, [batch, ...more]));
  }
  return (await Promise.all(batches)).flatMap((result) => result.rows.map((r) => r.id).sort((a, b) => a - b));
}

/** The reference layers: 縣市, 鄉鎮市區, 村里, basic statistical areas and police-unit points. */
async function loadGround(tx: Queryable, ground: Ground, counts: Record<string, number>): Promise<void> {
  counts.counties = (await insertAll(tx, ground.counties, `
    INSERT INTO counties (code, name, geom)
    SELECT x.code, x.name, ${polygonFrom('x.geometry')} FROM ${jsonRows('code text, name text, geometry text')}`)).length;
  counts.towns = (await insertAll(tx, ground.towns, `
    INSERT INTO towns (code, name, county_code, county_name, geom)
    SELECT x."code", x."name", x."countyCode", x."countyName", ${polygonFrom('x.geometry')}
      FROM ${jsonRows('"code" text, "name" text, "countyCode" text, "countyName" text, geometry text')}`)).length;
  counts.villages = (await insertAll(tx, ground.villages, `
    INSERT INTO villages (code, name, town_code, town_name, county_name, geom)
    SELECT x."code", x."name", x."townCode", x."townName", x."countyName", ${polygonFrom('x.geometry')}
      FROM ${jsonRows('"code" text, "name" text, "townCode" text, "townName" text, "countyName" text, geometry text')}`)).length;
  counts.blocks = (await insertAll(tx, ground.blocks, `
    INSERT INTO blocks (code, code1, code2, town_code, village_code, geom)
    SELECT x."code", x."code1", x."code2", x."townCode", x."villageCode", ${polygonFrom('x.geometry')}
      FROM ${jsonRows('"code" text, "code1" text, "code2" text, "townCode" text, "villageCode" text, geometry text')}`)).length;
  counts.police_units = (await insertAll(tx, ground.policeUnits, `
    INSERT INTO police_units (name, kind, unit_code, address, phone, geom)
    SELECT x."name", x."kind", x."unitCode", x."address", x."phone", ${pointFrom('x.point')}
      FROM ${jsonRows('"name" text, "kind" text, "unitCode" text, "address" text, "phone" text, point float8[]')}`)).length;
}

export async function loadDemoCity(db: Db, city: DemoCity, ground: Ground): Promise<{ counts: Record<string, number> }> {
  const withUnits = unitsOf(city);
  return db.transaction(async (tx) => {
    // bulk_load: one audit row for the whole seed instead of a history row per feature.
    await tx.query(`SELECT set_config('app.actor', 'demo-seed', true), set_config('app.bulk_load', 'on', true)`);
    return withIndexesBuiltAfter(tx, INDEXED_AFTER, async () => {
      const counts: Record<string, number> = {};
      await loadGround(tx, ground, counts);

      counts.bureaus = (await insertAll(tx, [city.bureau], `
        INSERT INTO bureaus (code, name, phone, address)
        SELECT x.code, x.name, x.phone, x.address
          FROM ${jsonRows('code text, name text, phone text, address text')}`)).length;

      counts.precincts = (await insertAll(tx, city.precincts, `
        INSERT INTO precincts (code, name, bureau_code, phone, address, geom)
        SELECT x.code, x.name, x.bureau_code, x.phone, x.address, ${polygonFrom('x.geometry')}
          FROM ${jsonRows('code text, name text, bureau_code text, phone text, address text, geometry text')}`)).length;

      // Stations before beats: a beat takes its precinct from its station's row.
      counts.stations = (await insertAll(tx, city.stations, `
        INSERT INTO stations (code, name, precinct_code, phone, address, geom)
        SELECT x.code, x.name, x.precinct_code, x.phone, x.address, ${polygonFrom('x.geometry')}
          FROM ${jsonRows('code text, name text, precinct_code text, phone text, address text, geometry text')}`)).length;

      counts.beats = (await insertAll(tx, city.beats, `
        INSERT INTO beats (code, name, station_code, officer_name, geom)
        SELECT x.code, x.name, x.station_code, x.officer_name, ${polygonFrom('x.geometry')}
          FROM ${jsonRows('code text, name text, station_code text, officer_name text, geometry text')}`)).length;
      // Features already in the database (a report filed before the beats existed) get their units
      // once for all beats; the bulk load skips doing it beat by beat.
      await tx.query(`SELECT reassign_units_within(ST_SetSRID(ST_Extent(geom)::geometry, 4326)) FROM beats WHERE deleted_at IS NULL`);

      const placeIds = await insertAll(tx, withUnits(city.keyPlaces), `
        INSERT INTO key_places (name, address, category, listing_status, listed_on, delisted_on, indicators,
                                next_visit_due, notes, geom, ${UNITS})
        SELECT x.name, x.address, x.category, x.listing_status, x.listed_on, x.delisted_on, x.indicators,
               x.next_visit_due, x.notes, ${POINT_UNIT_VALUES}
          FROM ${jsonRows(`name text, address text, category text, listing_status text, listed_on date,
                           delisted_on date, indicators jsonb, next_visit_due date, notes text, ${POINT_UNIT_COLUMNS}`)}`);
      counts.key_places = placeIds.length;
      const placeIdsJson = JSON.stringify(placeIds);

      counts.visits = (await insertAll(tx, city.visits, `
        INSERT INTO visits (place_id, officer, visited_at, outcome, findings)
        SELECT ${idAt('x.place_index')}, x.officer, x.visited_at, x.outcome, x.findings
          FROM ${jsonRows('place_index int, officer text, visited_at timestamptz, outcome text, findings text')}`,
        placeIdsJson)).length;
      // The bulk load leaves last_visited_at to this one statement (migration 060).
      await tx.query(`
        UPDATE key_places p SET last_visited_at = v.last
          FROM (SELECT place_id, max(visited_at) AS last FROM visits WHERE deleted_at IS NULL GROUP BY place_id) v
         WHERE p.id = v.place_id`);

      counts.cameras = (await insertAll(tx, withUnits(city.cameras), `
        INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, status, lpr, networked, adjustable,
                             install_year, is_public, contact, geom, ${UNITS})
        SELECT x.name, x.azimuth, x.fov, x.range_m, x.owner_kind, x.status, x.lpr, x.networked, x.adjustable,
               x.install_year, x.is_public, x.contact, ${POINT_UNIT_VALUES}
          FROM ${jsonRows(`name text, azimuth float8, fov float8, range_m float8, owner_kind text, status text,
                           lpr boolean, networked boolean, adjustable boolean, install_year int, is_public boolean,
                           contact text, ${POINT_UNIT_COLUMNS}`)}`)).length;

      const teamIds = await insertAll(tx, city.watchTeams, `
        INSERT INTO watch_teams (name, precinct_code, leader, phone, members, notes)
        SELECT x.name, x.precinct_code, x.leader, x.phone, x.members, x.notes
          FROM ${jsonRows('name text, precinct_code text, leader text, phone text, members int, notes text')}`);
      counts.watch_teams = teamIds.length;

      counts.watch_blocks = (await insertAll(tx, city.watchBlocks, `
        INSERT INTO watch_blocks (name, adopter, adopter_kind, team_id, contact, patrol_hours, geom, ${UNITS})
        SELECT x.name, x.adopter, x.adopter_kind, ${idAt('x.team_index')}, x.contact, x.patrol_hours, ${UNIT_VALUES}
          FROM ${jsonRows(`name text, adopter text, adopter_kind text, team_index int, contact text,
                           patrol_hours text, geometry text`)}
          ${located(polygonFrom('x.geometry'))}`,
        JSON.stringify(teamIds))).length;

      counts.drone_surveys = (await insertAll(tx, city.droneSurveys, `
        INSERT INTO drone_surveys (name, purpose, target_place_ids, planned_on, altitude_m, status, findings, geom, ${UNITS})
        SELECT x.name, x.purpose,
               ARRAY(SELECT ${idAt('t::int')} FROM jsonb_array_elements_text(x.target_place_indexes) t),
               x.planned_on, x.altitude_m, x.status, x.findings, ${UNIT_VALUES}
          FROM ${jsonRows(`name text, purpose text, target_place_indexes jsonb, planned_on date, altitude_m float8,
                           status text, findings text, geometry text`)}
          ${located(polygonFrom('x.geometry'))}`,
        placeIdsJson)).length;

      counts.incidents = (await insertAll(tx, withUnits(city.incidents), `
        INSERT INTO incidents (type, occurred_at, source, description, geom, ${UNITS})
        SELECT x.type, x.occurred_at, x.source, x.description, ${POINT_UNIT_VALUES}
          FROM ${jsonRows(`type text, occurred_at timestamptz, source text, description text, ${POINT_UNIT_COLUMNS}`)}`)).length;

      await tx.query(`INSERT INTO audit_log (actor, action, detail) VALUES ('demo-seed', 'seed-demo-city', $1::jsonb)`,
        [JSON.stringify(counts)]);
      return { counts };
    });
  });
}
