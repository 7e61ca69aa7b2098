-- This installation's identity. Exports carry it beside each feature id, so that an import can
-- tell this service's ids from another instance's: a file exported elsewhere and imported here
-- must add its rows, not rename and move whichever features happen to have the same ids here.
-- One row, made with the schema. A database copied to start a separate installation should be
-- given a new one: UPDATE service_instance SET id = gen_random_uuid();
CREATE TABLE service_instance (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  only_row   boolean NOT NULL DEFAULT true UNIQUE CHECK (only_row)
);
INSERT INTO service_instance DEFAULT VALUES;
