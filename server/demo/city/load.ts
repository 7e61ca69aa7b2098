import { copyText, type CopyValue } from '../../db/copy-text.js';
import type { Db, Queryable, Transaction } from '../../db/db.js';
import { multiPolygonEwkbHex, pointEwkbHex } from '../../geo/wkb.js';
import type { Area, Ground } from '../ground.js';
import type { DemoCity, DemoUnit } from './model.js';

/**
 * Loads the ground and a generated demo city in one transaction, in batches, so the embedded
 * database is not crossed once per row. Rows that need nothing from the database are copied
 * (COPY); rows whose ids later rows refer to, or whose units the database finds, travel as one
 * JSON array parameter per batch into INSERT … SELECT. Unit areas come from the ground (unions
 * of its basic areas, exact along shared borders); points carry the beat of the block they
 * were placed in, and polygons are located by the database in the inserting statement.
 */

/** Large enough to keep round trips few, small enough to keep each JSON parameter modest. */
const BATCH_ROWS = 5000;

/** The rows of the JSON array in $1, in array order (e.n), with typed fields (x.*). */
const jsonRows = (columns: string): string =>
  `jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(row, n) CROSS JOIN LATERAL jsonb_to_record(e.row) AS x(${columns})`;
/** An area column: its EWKB in hex (see areasAsEwkb). */
const polygonFrom = (column: string): string => `${column}::geometry`;
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

/** JSON.stringify replacer: a row's `geometry` (always an area here) travels as EWKB hex. */
function areasAsEwkb(key: string, value: unknown): unknown {
  return key === 'geometry' ? multiPolygonEwkbHex(value as Area) : value;
}

/**
 * Tables whose indexes (except unique ones) are built once after the load instead of grown row
 * by row: an index built over a loaded table costs a fraction of one grown by 52,000 inserts
 * (incidents: 2.5 → 1.1 s on the embedded database). Only tables nothing in the load looks up by
 * those indexes (the beats are: locate_beat places the watch blocks and drone surveys).
 */
const INDEXED_AFTER = ['counties', 'towns', 'villages', 'blocks', 'incidents', 'cameras', 'patrol_signins'];

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
    const batch = JSON.stringify(rows.slice(from, from + BATCH_ROWS), areasAsEwkb);
    batches.push(tx.query<{ id: number }>(`${sql} ORDER BY e.n RETURNING id::float8 AS id`, [batch, ...more]));
  }
  return (await Promise.all(batches)).flatMap((result) => result.rows.map((r) => r.id).sort((a, b) => a - b));
}

/**
 * Copies rows into `table`, one column per entry of `columns` (its name, and its value in a
 * row), and returns how many. Like insertAll, every batch is sent before the first is awaited.
 */
async function copyAll<T>(tx: Transaction, table: string, rows: readonly T[], columns: Record<string, (row: T) => CopyValue>): Promise<number> {
  const names = Object.keys(columns);
  const values = Object.values(columns);
  const copies: Promise<void>[] = [];
  for (let from = 0; from < rows.length; from += BATCH_ROWS) {
    const batch = copyText(rows.slice(from, from + BATCH_ROWS).map((row) => values.map((value) => value(row))));
    copies.push(tx.copyFrom(table, names, batch));
  }
  await Promise.all(copies);
  return rows.length;
}

/**
 * The cameras' status changes as history rows (what 妥善率 is computed from): each the camera's
 * row as stored, with the status before and after the change, attributed to the demo seed. The
 * cameras were copied in order after the id `after`, so the n-th camera has the n-th id past it.
 */
async function loadCameraHistory(tx: Transaction, city: DemoCity, after: number): Promise<number> {
  if (!city.cameraChanges.length) return 0;
  const { rows: [json] } = await tx.query<{ sql: string }>(`SELECT history_row_json_sql('cameras', 'c') AS sql`);
  const versions = new Map<number, number>();
  const rows = city.cameraChanges.map((ch) => {
    const version = (versions.get(ch.camera_index) ?? 1) + 1;
    versions.set(ch.camera_index, version);
    return { ...ch, version };
  });
  await insertAll(tx, rows, `
    INSERT INTO feature_history (layer_table, feature_id, version, action, actor, at, before, after)
    SELECT 'cameras', c.id, x.version, 'update', 'demo-seed', x.at, j.row || jsonb_build_object('status', x.was), j.row || jsonb_build_object('status', x.became)
      FROM ${jsonRows('camera_index int, version int, at timestamptz, was text, became text')}
      JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM cameras WHERE id > $2::float8) ids ON ids.k = x.camera_index
      JOIN cameras c ON c.id = ids.id
      CROSS JOIN LATERAL (SELECT ${json!.sql} AS row) j`, after);
  return rows.length;
}

const area = (row: { geometry: Area }) => multiPolygonEwkbHex(row.geometry);
const point = (row: { point: readonly [number, number] }) => pointEwkbHex(row.point);
/** A point row's units (unitsOf), as COPY columns. */
const pointUnits = {
  beat_code: (r: Units) => r.beat_code, station_code: (r: Units) => r.station_code, precinct_code: (r: Units) => r.precinct_code,
};

/** The reference layers: 縣市, 鄉鎮市區, 村里, basic statistical areas and police-unit points. */
async function loadGround(tx: Transaction, ground: Ground, counts: Record<string, number>): Promise<void> {
  counts.counties = await copyAll(tx, 'counties', ground.counties, { code: (c) => c.code, name: (c) => c.name, geom: area });
  counts.towns = await copyAll(tx, 'towns', ground.towns, {
    code: (t) => t.code, name: (t) => t.name, county_code: (t) => t.countyCode, county_name: (t) => t.countyName, geom: area,
  });
  counts.villages = await copyAll(tx, 'villages', ground.villages, {
    code: (v) => v.code, name: (v) => v.name, town_code: (v) => v.townCode, town_name: (v) => v.townName,
    county_name: (v) => v.countyName, geom: area,
  });
  counts.blocks = await copyAll(tx, 'blocks', ground.blocks, {
    code: (b) => b.code, code1: (b) => b.code1, code2: (b) => b.code2, town_code: (b) => b.townCode,
    village_code: (b) => b.villageCode, geom: area,
  });
  counts.police_units = await copyAll(tx, 'police_units', ground.policeUnits, {
    name: (u) => u.name, kind: (u) => u.kind, unit_code: (u) => u.unitCode, address: (u) => u.address, phone: (u) => u.phone, geom: point,
  });
}

export async function loadDemoCity(db: Db, city: DemoCity, ground: Ground): Promise<{ counts: Record<string, number> }> {
  const withUnits = unitsOf(city);
  return db.transaction(async (tx) => {
    // bulk_load: one audit row for the whole seed instead of a history row per feature.
    await tx.query(`SELECT set_config('app.actor', 'demo-seed', true), set_config('app.bulk_load', 'on', true)`);
    return withIndexesBuiltAfter(tx, INDEXED_AFTER, async () => {
      const counts: Record<string, number> = {};
      await loadGround(tx, ground, counts);

      const unit = { code: (u: DemoUnit) => u.code, name: (u: DemoUnit) => u.name, phone: (u: DemoUnit) => u.phone, address: (u: DemoUnit) => u.address };
      counts.bureaus = await copyAll(tx, 'bureaus', [city.bureau], unit);
      counts.precincts = await copyAll(tx, 'precincts', city.precincts, { ...unit, bureau_code: (p) => p.bureau_code, geom: area });
      // Stations before beats: a beat takes its precinct from its station's row.
      counts.stations = await copyAll(tx, 'stations', city.stations, { ...unit, precinct_code: (st) => st.precinct_code, geom: area });
      counts.beats = await copyAll(tx, 'beats', city.beats, {
        code: (b) => b.code, name: (b) => b.name, station_code: (b) => b.station_code, officer_name: (b) => b.officer_name, geom: area,
      });
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

      // Each camera's version counts its changes, as edits would have numbered them.
      const changes = new Map<number, number>();
      for (const ch of city.cameraChanges) changes.set(ch.camera_index, (changes.get(ch.camera_index) ?? 0) + 1);
      const cameras = city.cameras.map((c, i) => ({ ...c, version: 1 + (changes.get(i) ?? 0) }));
      const last = (await tx.query<{ last: number }>('SELECT coalesce(max(id), 0)::float8 AS last FROM cameras')).rows[0]!.last;
      counts.cameras = await copyAll(tx, 'cameras', withUnits(cameras), {
        name: (c) => c.name, azimuth: (c) => c.azimuth, fov: (c) => c.fov, range_m: (c) => c.range_m,
        owner_kind: (c) => c.owner_kind, status: (c) => c.status, lpr: (c) => c.lpr, networked: (c) => c.networked,
        adjustable: (c) => c.adjustable, install_year: (c) => c.install_year, is_public: (c) => c.is_public,
        contact: (c) => c.contact, created_at: (c) => c.created_at, version: (c) => c.version, geom: point, ...pointUnits,
      });
      counts.camera_changes = await loadCameraHistory(tx, city, last);

      const points = withUnits(city.patrolPoints);
      const pointIds = await insertAll(tx, points, `
        INSERT INTO patrol_points (name, kind, keeper, geom, ${UNITS})
        SELECT x.name, x.kind, x.keeper, ${POINT_UNIT_VALUES}
          FROM ${jsonRows(`name text, kind text, keeper text, ${POINT_UNIT_COLUMNS}`)}`);
      counts.patrol_points = pointIds.length;
      // A sign-in's units are its point's (the trigger that looks them up steps aside in a bulk
      // load, migration 100): copied, 24,578 sign-ins take a third of the time inserted from JSON.
      counts.patrol_signins = await copyAll(tx, 'patrol_signins', city.patrolSignIns, {
        point_id: (s) => pointIds[s.point_index]!, officer: (s) => s.officer, signed_at: (s) => s.signed_at,
        method: (s) => s.method, distance_m: (s) => s.distance_m, accuracy_m: (s) => s.accuracy_m,
        beat_code: (s) => points[s.point_index]!.beat_code, station_code: (s) => points[s.point_index]!.station_code,
        precinct_code: (s) => points[s.point_index]!.precinct_code,
      });

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

      counts.incidents = await copyAll(tx, 'incidents', withUnits(city.incidents), {
        type: (i) => i.type, occurred_at: (i) => i.occurred_at, source: (i) => i.source, description: (i) => i.description,
        geom: point, ...pointUnits,
      });

      await tx.query(`INSERT INTO audit_log (actor, action, detail) VALUES ('demo-seed', 'seed-demo-city', $1::jsonb)`,
        [JSON.stringify(counts)]);
      return { counts };
    });
  });
}
