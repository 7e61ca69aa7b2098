-- Numbers in typed addresses that no 門牌 has: a search for 「120.19,22.98,120.2,22.99」 (a box
-- pasted into the search box) became a house number of 30 digits, and the cast to integer
-- failed the whole search with a 500. Digits beyond nine are no 號, 鄰 or 段 of any address:
-- such a part is now unknown (NULL), and the rest of the text is searched as before.

-- The integer digits make, or NULL when there are more than nine of them.
CREATE FUNCTION small_number(digits text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT CASE WHEN length(ltrim(digits, '0')) <= 9 THEN digits::bigint::integer END
$$;

-- As in 055, with small_number.
CREATE OR REPLACE FUNCTION chinese_numeral(t text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  total integer := 0;
  digit integer := 0;
  ch text;
BEGIN
  IF t !~ '[十百千]' THEN
    RETURN small_number(translate(t, '零〇一二兩三四五六七八九', '001223456789'));
  END IF;
  FOREACH ch IN ARRAY regexp_split_to_array(t, '') LOOP
    IF ch IN ('十', '百', '千') THEN
      total := total + greatest(digit, 1) * CASE ch WHEN '十' THEN 10 WHEN '百' THEN 100 ELSE 1000 END;
      digit := 0;
    ELSE
      digit := translate(ch, '零〇一二兩三四五六七八九', '001223456789')::integer;
    END IF;
  END LOOP;
  RETURN total + digit;
END $$;

-- As in 055, with small_number.
CREATE OR REPLACE FUNCTION address_parts(a text) RETURNS parsed_address
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  r parsed_address;
  s text;
  names text[];
BEGIN
  SELECT n.main, n.unit INTO s, r.unit FROM address_normalise(coalesce(a, '')) n;
  r.county := address_county(left(s, 3));
  IF r.county IS NOT NULL THEN s := substr(s, 4); END IF;

  names := leading_names(s, '區鄉鎮市', '區');
  IF cardinality(names) > 0 THEN
    SELECT t.name_key, t.name, t.county_name INTO r.town, r.town_name, r.county_name FROM towns t
     WHERE t.deleted_at IS NULL AND t.name_key = ANY (names) AND (r.county IS NULL OR t.county_key = r.county)
     ORDER BY length(t.name_key), t.name_key = left(s, length(t.name_key)) DESC LIMIT 1;
  END IF;
  -- A former name (中壢市) is as long as the district's (中壢區).
  s := substr(s, coalesce(length(r.town), 0) + 1);
  IF r.town IS NULL AND r.county IS NOT NULL THEN
    r.town := substring(s FROM '^([^-0-9路街巷弄衖號段鄰]{1,3}[區鄉鎮市])(?![路街大巷])');
    s := substr(s, coalesce(length(r.town), 0) + 1);
  END IF;

  names := leading_names(s, '村里');
  IF cardinality(names) > 0 THEN
    SELECT v.name_key INTO r.village FROM villages v
     WHERE v.deleted_at IS NULL AND v.name_key = ANY (names) AND (r.town IS NULL OR v.town_key = r.town)
     ORDER BY length(v.name_key) LIMIT 1;
  END IF;
  s := substr(s, coalesce(length(r.village), 0) + 1);
  IF r.village IS NULL THEN
    r.village := substring(s FROM '^([^-0-9路街巷弄衖號段鄰]{1,4}[村里])(?=[0-9]+鄰)');
    s := substr(s, coalesce(length(r.village), 0) + 1);
  END IF;

  r.lin := small_number((regexp_match(s, '([0-9]+)鄰'))[1]);
  s := regexp_replace(s, '[0-9]+鄰', '', 'g');
  r.rest := coalesce(substring(s FROM '((?:[0-9]+巷)?(?:[0-9]+弄)?(?:[0-9]+衖)?(?:[0-9]+(?:-[0-9]+)?號)?)$'), '');
  r.road := left(s, length(s) - length(r.rest));
  r.house := small_number((regexp_match(r.rest, '([0-9]+)(?:-[0-9]+)?號$'))[1]);
  RETURN address_completed(r, NULL, NULL, NULL);
END $$;
