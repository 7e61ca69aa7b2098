-- 熱時熱點 patrol plans (server/patrol/plans.ts): for a station and a week, the hot places and
-- their hot hours, each with the patrol points to sign in at and how often, drafted from the
-- incidents, edited and approved by the station's supervisor (a planner), then read by its
-- officers and checked against their sign-ins. One plan a station a week; a plan replaced or
-- withdrawn is marked deleted, never removed; every change is in the audit log.
CREATE TABLE patrol_plans (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  station_code  text NOT NULL,
  precinct_code text NOT NULL,
  week_start    date NOT NULL CHECK (extract(isodow FROM week_start) = 1),
  -- Incident types the plan was drafted for (NULL: all).
  types         text[],
  status        text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved')),
  items         jsonb NOT NULL,
  -- What the draft was made from and how a plan made by the same rule did before (its back-test).
  basis         jsonb NOT NULL,
  note          text,
  version       integer NOT NULL DEFAULT 1,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  approved_by   text,
  approved_at   timestamptz,
  deleted_by    text,
  deleted_at    timestamptz
);
CREATE UNIQUE INDEX patrol_plans_week ON patrol_plans (station_code, week_start) WHERE deleted_at IS NULL;
CREATE INDEX patrol_plans_precinct ON patrol_plans (precinct_code, week_start);
