-- Sign-in throttling, shared by every app instance because it lives in the database. An attempt
-- is counted (claimed) before its password is checked, under a row lock, so however many arrive
-- at once no more than the limit are checked. Three counts, each over a window that starts at
-- its first attempt:
--   pair:<username>\n<address>   attempts at one account from one address: at the limit that
--                                address is refused for that account until the window ends;
--   address:<address>            attempts from one address at any account (password spraying);
--   account:<username>           attempts at one account from anywhere: at the limit the account
--                                is not locked but slowed, one attempt per `spacing`, so guessing
--                                from one address cannot lock its owner out elsewhere.
-- A successful sign-in gives its attempt back, clears its pair and lets a slowed account take
-- its next attempt at once.
CREATE TABLE login_attempts (
  key          text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  next_at      timestamptz
);
CREATE INDEX login_attempts_window ON login_attempts (window_start);

-- The row of a count, its window restarted if it has passed; the row stays locked until the
-- caller's statement ends.
CREATE FUNCTION touch_login_count(k text, t timestamptz, win interval, OUT window_start timestamptz, OUT attempts integer, OUT next_at timestamptz)
LANGUAGE sql AS $$
  INSERT INTO login_attempts AS a (key, window_start) VALUES (k, t)
  ON CONFLICT (key) DO UPDATE SET
    window_start = CASE WHEN a.window_start <= t - win THEN t ELSE a.window_start END,
    attempts     = CASE WHEN a.window_start <= t - win THEN 0 ELSE a.attempts END,
    next_at      = CASE WHEN a.window_start <= t - win THEN NULL ELSE a.next_at END
  RETURNING a.window_start, a.attempts, a.next_at
$$;

CREATE FUNCTION login_wait_seconds(i interval) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  SELECT greatest(1, ceil(extract(epoch FROM i)))::int
$$;

CREATE FUNCTION claim_login_attempt(username text, address text, account_limit integer, address_limit integer,
                                    win interval, spacing interval)
RETURNS TABLE (granted boolean, retry_after integer, refused_by text, pair_attempts integer, account_attempts integer)
LANGUAGE plpgsql AS $$
DECLARE
  t timestamptz := clock_timestamp();
  k_account text := 'account:' || username;
  k_address text := 'address:' || address;
  k_pair text := 'pair:' || username || E'\n' || address;
  acc record; adr record; pair record;
BEGIN
  -- Counts whose window has passed are swept now and then; they would restart anyway.
  IF random() < 0.01 THEN
    DELETE FROM login_attempts l WHERE l.window_start < t - win AND (l.next_at IS NULL OR l.next_at < t);
  END IF;
  -- Every caller locks the rows in key order (account, address, pair), as release does, so
  -- concurrent attempts queue instead of deadlocking.
  SELECT * INTO acc FROM touch_login_count(k_account, t, win);
  SELECT * INTO adr FROM touch_login_count(k_address, t, win);
  SELECT * INTO pair FROM touch_login_count(k_pair, t, win);
  IF pair.attempts >= account_limit THEN
    RETURN QUERY SELECT false, login_wait_seconds(pair.window_start + win - t), 'pair', pair.attempts, acc.attempts;
    RETURN;
  END IF;
  IF adr.attempts >= address_limit THEN
    RETURN QUERY SELECT false, login_wait_seconds(adr.window_start + win - t), 'address', pair.attempts, acc.attempts;
    RETURN;
  END IF;
  IF acc.attempts >= account_limit THEN
    IF acc.next_at > t THEN
      RETURN QUERY SELECT false, login_wait_seconds(acc.next_at - t), 'account', pair.attempts, acc.attempts;
      RETURN;
    END IF;
    UPDATE login_attempts SET next_at = t + spacing WHERE key = k_account;
  END IF;
  UPDATE login_attempts SET attempts = login_attempts.attempts + 1 WHERE key IN (k_account, k_address, k_pair);
  RETURN QUERY SELECT true, 0, NULL::text, pair.attempts + 1, acc.attempts + 1;
END $$;

-- Gives a claimed attempt back: its password was right (then its pair starts afresh and a
-- slowed account takes its next attempt at once: the owner is back), or it was never checked.
CREATE FUNCTION release_login_attempt(username text, address text, succeeded boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE login_attempts SET attempts = greatest(attempts - 1, 0), next_at = CASE WHEN succeeded THEN NULL ELSE next_at END
   WHERE key = 'account:' || username;
  UPDATE login_attempts SET attempts = greatest(attempts - 1, 0) WHERE key = 'address:' || address;
  IF succeeded THEN
    DELETE FROM login_attempts WHERE key = 'pair:' || username || E'\n' || address;
  ELSE
    UPDATE login_attempts SET attempts = greatest(attempts - 1, 0) WHERE key = 'pair:' || username || E'\n' || address;
  END IF;
END $$;
