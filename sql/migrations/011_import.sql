-- Imports of external registers: which feature each register row became, how each source's
-- files are read, and coordinates in the reference systems Taiwanese registers use.

-- A register row's id (its "external id", unique within a source and layer) and the feature it
-- became: importing the register again updates that feature instead of adding another.
CREATE TABLE feature_sources (
  layer_table text NOT NULL,
  source      text NOT NULL,
  external_id text NOT NULL,
  feature_id  bigint NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  imported_by text NOT NULL DEFAULT coalesce(nullif(current_setting('app.actor', true), ''), current_user),
  PRIMARY KEY (layer_table, source, external_id)
);
CREATE INDEX feature_sources_feature ON feature_sources (layer_table, feature_id);

-- How a source's files were read the last time one was imported: the column mapping, text
-- encoding and coordinate system, offered again for its next file.
CREATE TABLE import_sources (
  layer_table text NOT NULL,
  source      text NOT NULL,
  mapping     jsonb NOT NULL,
  encoding    text,
  crs         text,
  updated_by  text NOT NULL DEFAULT coalesce(nullif(current_setting('app.actor', true), ''), current_user),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (layer_table, source)
);

-- Geometry in TWD97 / TM2 (EPSG:3826, 3825 for Penghu), TWD67 / TM2 (EPSG:3828), TWD97
-- geographic (EPSG:3824) or WGS84, to WGS84.
--
-- TWD67 needs a datum shift that PostGIS does not know: spatial_ref_sys gives EPSG:3828 no
-- TOWGS84 (in PGlite's PostGIS 3.6 and Debian's 3.3 alike), so ST_Transform from it changes the
-- ellipsoid only and lands about 850 m from the truth. EPSG:15487, the EPSG dataset's
-- transformation "TWD67 / TM2 zone 121 to TWD97 / TM2 zone 121", is a grid offset of
-- +828.589 m east, -206.915 m north (derived at Hu Tzu Shan, residuals up to 6.4 m on the main
-- island); TWD97 then goes to WGS84 without a shift (they agree to well under a metre).
CREATE FUNCTION to_wgs84(g geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE ST_SRID(g)
    WHEN 4326 THEN g
    WHEN 3828 THEN ST_Transform(ST_SetSRID(ST_Translate(g, 828.589, -206.915), 3826), 4326)
    ELSE ST_Transform(g, 4326)
  END
$$;

-- WKT text (a CSV column) as geometry, or the reason it is not one: one bad row must not
-- abort the statement that reads a whole batch.
CREATE FUNCTION geometry_from_wkt(wkt text, srid integer, OUT geom geometry, OUT problem text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  geom := ST_Force2D(ST_SetSRID(ST_GeomFromText(wkt), srid));
EXCEPTION WHEN others THEN
  problem := SQLERRM;
END $$;
