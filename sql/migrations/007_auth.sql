-- Accounts and sessions. Passwords are scrypt hashes; session tokens are stored as SHA-256.
CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'planner', 'officer', 'community')),
  display_name  text,
  precinct_code text,
  station_code  text,
  beat_code     text,
  area          geometry(MultiPolygon, 4326),
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (role NOT IN ('planner', 'officer') OR precinct_code IS NOT NULL),
  CHECK (role <> 'community' OR area IS NOT NULL)
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
