-- The secret behind the rounding of public figures (server/analysis/published.ts): each count
-- published to the community and the public is rounded up or down to a multiple of 5 at random,
-- and the draw is HMAC(key, the count's cell and value), so the same count always rounds the
-- same way (asking again tells nothing new) while nobody without the key can tell which way it
-- went. The service writes one random key on first use; it never leaves the database.
CREATE TABLE disclosure_key (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  key text NOT NULL CHECK (key ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
