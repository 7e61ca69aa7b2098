-- Police unit hierarchy: bureau (警察局) > precinct (分局) > station (分駐/派出所) > beat (警勤區).
CREATE TABLE bureaus (
  LIKE feature_base INCLUDING ALL,
  code    text NOT NULL,
  name    text NOT NULL,
  phone   text,
  address text
);
CREATE UNIQUE INDEX bureaus_code ON bureaus (code) WHERE deleted_at IS NULL;

CREATE TABLE precincts (
  LIKE feature_base INCLUDING ALL,
  code        text NOT NULL,
  name        text NOT NULL,
  bureau_code text NOT NULL,
  phone       text,
  address     text,
  geom        geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE UNIQUE INDEX precincts_code ON precincts (code) WHERE deleted_at IS NULL;
CREATE INDEX precincts_geom ON precincts USING gist (geom);

CREATE TABLE stations (
  LIKE feature_base INCLUDING ALL,
  code          text NOT NULL,
  name          text NOT NULL,
  precinct_code text NOT NULL,
  phone         text,
  address       text,
  geom          geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE UNIQUE INDEX stations_code ON stations (code) WHERE deleted_at IS NULL;
CREATE INDEX stations_geom ON stations USING gist (geom);

CREATE TABLE beats (
  LIKE feature_base INCLUDING ALL,
  code          text NOT NULL,
  name          text NOT NULL,
  station_code  text NOT NULL,
  precinct_code text,            -- derived from the station, see 004
  officer_name  text,
  geom          geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE UNIQUE INDEX beats_code ON beats (code) WHERE deleted_at IS NULL;
CREATE INDEX beats_geom ON beats USING gist (geom) WHERE deleted_at IS NULL;
