-- PostGIS is the source of spatial truth for every layer.
CREATE EXTENSION IF NOT EXISTS postgis;
