-- The operational layers. Allowed values and ranges are validated at the API edge from the
-- layer registry (server/layers); the CHECKs here are the last line of defence for any writer.

CREATE TABLE key_places (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  name            text NOT NULL,
  address         text,
  category        text NOT NULL,
  listing_status  text NOT NULL DEFAULT 'listed' CHECK (listing_status IN ('listed', 'delisted')),
  listed_on       date,
  delisted_on     date,
  indicators      jsonb NOT NULL DEFAULT '{}'::jsonb,
  next_visit_due  date,
  last_visited_at timestamptz,   -- derived from visits
  notes           text,
  geom            geometry(Point, 4326) NOT NULL
);
CREATE INDEX key_places_geom ON key_places USING gist (geom);
CREATE INDEX key_places_precinct ON key_places (precinct_code);

CREATE TABLE visits (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,          -- copied from the visited place
  place_id   bigint NOT NULL REFERENCES key_places (id),
  officer    text NOT NULL,
  visited_at timestamptz NOT NULL,
  outcome    text NOT NULL DEFAULT 'normal',
  findings   text
);
CREATE INDEX visits_place ON visits (place_id, visited_at DESC);

CREATE TABLE cameras (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  name         text NOT NULL,
  azimuth      double precision NOT NULL CHECK (azimuth >= 0 AND azimuth < 360),
  fov          double precision NOT NULL CHECK (fov > 0 AND fov <= 360),
  range_m      double precision NOT NULL CHECK (range_m > 0 AND range_m <= 1000),
  owner_kind   text NOT NULL,
  status       text NOT NULL DEFAULT 'working',
  lpr          boolean NOT NULL DEFAULT false,
  networked    boolean NOT NULL DEFAULT false,
  adjustable   boolean NOT NULL DEFAULT true,
  install_year integer,
  is_public    boolean NOT NULL DEFAULT false,
  contact      text,
  geom         geometry(Point, 4326) NOT NULL
);
CREATE INDEX cameras_geom ON cameras USING gist (geom);
CREATE INDEX cameras_precinct ON cameras (precinct_code);

CREATE TABLE watch_teams (
  LIKE feature_base INCLUDING ALL,
  name          text NOT NULL,
  precinct_code text NOT NULL,
  leader        text,
  phone         text,
  members       integer,
  notes         text
);

CREATE TABLE watch_blocks (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  name         text NOT NULL,
  adopter      text NOT NULL,
  adopter_kind text NOT NULL,
  team_id      bigint REFERENCES watch_teams (id),
  contact      text,
  patrol_hours text,
  geom         geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX watch_blocks_geom ON watch_blocks USING gist (geom);

CREATE TABLE drone_surveys (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  name             text NOT NULL,
  purpose          text NOT NULL,
  target_place_ids bigint[] NOT NULL DEFAULT '{}',
  planned_on       date,
  altitude_m       double precision,
  status           text NOT NULL DEFAULT 'planned',
  findings         text,
  geom             geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX drone_surveys_geom ON drone_surveys USING gist (geom);

CREATE TABLE incidents (
  LIKE feature_base INCLUDING ALL,
  LIKE unit_assignment,
  type        text NOT NULL,
  occurred_at timestamptz NOT NULL,
  source      text NOT NULL DEFAULT 'report',
  description text,
  geom        geometry(Point, 4326) NOT NULL
);
CREATE INDEX incidents_geom ON incidents USING gist (geom);
CREATE INDEX incidents_occurred ON incidents (occurred_at);
CREATE INDEX incidents_precinct ON incidents (precinct_code, occurred_at);
