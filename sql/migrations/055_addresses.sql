-- Place search: text folded the same way on both sides of a comparison, Taiwanese addresses
-- taken apart into the parts people vary (county and town written or not, 臺/台, full-width
-- digits, 二段/2段, 131之2號/131-2號, floors and rooms), and the gazetteer of 門牌 points a
-- planner imports (README "Search" and "Address gazetteer"). Everything here uses plain
-- btree indexes, which PGlite and PostgreSQL both have; no extension.

-- Names as compared: compatibility forms folded (full-width letters and digits), 臺 as 台 and
-- the other variant characters people type for the same one, no white space, lower case.
CREATE FUNCTION search_fold(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT lower(translate(normalize(s, NFKC), E'臺巿鄕 \t\n\r\v\f', '台市鄉'))
$$;

-- Names kept folded beside themselves: addresses are taken apart by looking their district and
-- village up (a few times for each of a gazetteer's 500,000 rows), and 村里 are searched by name.
ALTER TABLE towns ADD COLUMN name_key text GENERATED ALWAYS AS (search_fold(name)) STORED,
                  ADD COLUMN county_key text GENERATED ALWAYS AS (search_fold(county_name)) STORED;
ALTER TABLE villages ADD COLUMN name_key text GENERATED ALWAYS AS (search_fold(name)) STORED,
                     ADD COLUMN town_key text GENERATED ALWAYS AS (search_fold(town_name)) STORED;
CREATE INDEX towns_name_key ON towns (name_key) WHERE deleted_at IS NULL;
CREATE INDEX villages_name_key ON villages (name_key, town_key) WHERE deleted_at IS NULL;

-- 一 → 1, 十二 → 12, 一百零五 → 105, 一〇五 → 105: the numbers of 段, 巷, 弄, 號, 鄰 and 樓.
CREATE FUNCTION chinese_numeral(t text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  total integer := 0;
  digit integer := 0;
  ch text;
BEGIN
  IF t !~ '[十百千]' THEN
    RETURN translate(t, '零〇一二兩三四五六七八九', '001223456789')::integer;
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

-- An address written the one way: full-width folded, 臺 → 台, Chinese numerals of 段/巷/弄/號/
-- 鄰/樓 in digits, 131之2號 and 131號之2 as 131-2號, a leading postal code, 臺灣省 (older
-- addresses start with it) and everything but letters, digits, ideographs and '-' removed.
-- `main` ends at the house number; `unit` is what follows it (floor, room), kept apart so that
-- 5號 and 5號3樓 are the same place. Each rewrite runs only where its mark is (a gazetteer is
-- hundreds of thousands of addresses, and a regular expression costs more than a strpos).
CREATE FUNCTION address_normalise(a text, OUT main text, OUT unit text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
  s text;
  m text[];
  cut integer;
BEGIN
  s := upper(translate(normalize(a, NFKC), E'臺巿鄕–—―‐‑‒−~ \t\n\r\v\f', '台市鄉--------'));
  LOOP
    m := regexp_match(s, '([零〇一二兩三四五六七八九十百千]+)(段|巷|弄|衖|號|鄰|樓)');
    EXIT WHEN m IS NULL;
    s := regexp_replace(s, m[1] || m[2], chinese_numeral(m[1])::text || m[2]);
  END LOOP;
  IF strpos(s, 'F') > 0 THEN s := regexp_replace(s, '([0-9]+)F', '\1樓', 'g'); END IF;
  IF strpos(s, '之') > 0 THEN
    s := regexp_replace(s, '([0-9]+)號之([0-9]+)(?![0-9])(?!樓)', '\1-\2號');
    s := regexp_replace(s, '([0-9]+)之([0-9]+)', '\1-\2', 'g');
  END IF;
  s := regexp_replace(s, '[^0-9A-Z\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ffff-]', '', 'g');
  IF left(s, 1) BETWEEN '0' AND '9' THEN s := regexp_replace(s, '^[0-9]{3,6}(?=[^-0-9號巷弄衖段鄰樓])', ''); END IF;
  IF left(s, 2) IN ('台灣', '中華') THEN s := regexp_replace(s, '^(中華民國)?(台灣省|台灣(?=..[縣市]))', ''); END IF;
  cut := regexp_instr(s, '[0-9]號', 1, 1, 1);
  IF cut > 0 THEN
    main := left(s, cut - 1);
    unit := substr(s, cut);
  ELSE
    main := s;
    unit := '';
  END IF;
END $$;

-- The 22 counties and cities as addresses write them (folded), and the former counties merged
-- into them in 2010 and 2014.
CREATE FUNCTION address_county(token text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT CASE
    WHEN token IN ('台北市', '新北市', '桃園市', '台中市', '台南市', '高雄市', '基隆市', '新竹市', '嘉義市', '新竹縣',
                   '苗栗縣', '彰化縣', '南投縣', '雲林縣', '嘉義縣', '屏東縣', '宜蘭縣', '花蓮縣', '台東縣', '澎湖縣',
                   '金門縣', '連江縣') THEN token
    WHEN token = '台北縣' THEN '新北市'
    WHEN token IN ('桃園縣', '台中縣', '台南縣', '高雄縣') THEN left(token, 2) || '市'
  END
$$;

-- The starts of a text that could be a place's name: 2 to 5 characters ending in one of
-- `endings` (區鄉鎮市 for districts, 村里 for villages), and each with its last character made
-- `renamed` as well (a district's former name: 中壢市 for 中壢區). Looked up with = ANY, one
-- index probe; a join over a set-returning function cost twenty times as much per address.
CREATE FUNCTION leading_names(s text, endings text, renamed text DEFAULT NULL) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  names text[] := '{}';
  l integer;
BEGIN
  FOR l IN 2..least(5, length(s)) LOOP
    IF strpos(endings, substr(s, l, 1)) > 0 THEN
      names := names || left(s, l);
      IF renamed IS NOT NULL THEN names := names || (left(s, l - 1) || renamed); END IF;
    END IF;
  END LOOP;
  RETURN names;
END $$;

-- An address taken apart: county, town and village as written (folded; a town's former name,
-- 中壢市, as the district it became), 鄰, the road (with its 段, or a named lane or place),
-- the numbered rest (巷, 弄, 號), the house number, the floor and room (`unit`), and the key the
-- gazetteer is searched by: road and rest, or the village and rest where there is no road.
-- Towns and villages are known from the towns and villages tables; a town-like word is taken
-- without them only after a county.
CREATE TYPE parsed_address AS (
  county text, town text, village text, lin integer, road text, rest text, house integer, key text, unit text,
  -- The district and county as the towns table names them (臺中市, not 台中市), when it knows them.
  town_name text, county_name text
);

CREATE FUNCTION address_parts(a text) RETURNS parsed_address
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

  r.lin := (regexp_match(s, '([0-9]+)鄰'))[1]::integer;
  s := regexp_replace(s, '[0-9]+鄰', '', 'g');
  r.rest := coalesce(substring(s FROM '((?:[0-9]+巷)?(?:[0-9]+弄)?(?:[0-9]+衖)?(?:[0-9]+(?:-[0-9]+)?號)?)$'), '');
  r.road := left(s, length(s) - length(r.rest));
  r.house := (regexp_match(r.rest, '([0-9]+)(?:-[0-9]+)?號$'))[1]::integer;
  RETURN address_completed(r, NULL, NULL, NULL);
END $$;

-- The parts of a 門牌 with what its address leaves out taken from where it lies: the district
-- (as the towns table names it, and folded) and the village (folded) around its point; its key
-- made again.
CREATE FUNCTION address_completed(p parsed_address, town_name text, county_name text, village text) RETURNS parsed_address
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ROW(coalesce(p.county, search_fold(county_name)), coalesce(p.town, search_fold(town_name)), coalesce(p.village, village),
             p.lin, p.road, p.rest, p.house,
             CASE WHEN p.road <> '' THEN p.road ELSE coalesce(p.village, village, '') END || p.rest, p.unit,
             coalesce(p.town_name, town_name), coalesce(p.county_name, county_name))::parsed_address
$$;

-- The 鄉鎮市區 a point lies in: on a shared edge, the lowest code (as locate_village).
CREATE FUNCTION locate_town(p geometry)
RETURNS TABLE (code text, name text, county_name text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT t.code, t.name, t.county_name
    FROM towns t
   WHERE t.deleted_at IS NULL AND t.geom && p AND ST_Covers(t.geom, p)
   ORDER BY t.code
   LIMIT 1
$$;

-- Where a point read from TM2 metres in one datum (3826 TWD97 or 3828 TWD67) would lie had its
-- metres been read in the other: TWD67 is TWD97 shifted by the translation to_wgs84 applies
-- (017_to_wgs84_inlined.sql), about 850 m. The import tells a gazetteer read in the wrong datum
-- by its addresses falling outside the districts and villages they name, and inside them here.
CREATE FUNCTION datum_misread(g geometry, read integer) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT ST_Transform(ST_Translate(ST_Transform(g, 3826), sign * 828.589, sign * -206.915), 4326)
    FROM (SELECT CASE read WHEN 3826 THEN 1 ELSE -1 END AS sign) s
$$;

-- The gazetteer: one point per 門牌, as the cities' open data has them (戶政 門牌坐標: 村里, 鄰,
-- 街路段, 地區, 巷, 弄, 號, or the whole address in one column). The parts the search needs are
-- derived by the trigger below; the town and village missing from an address come from where
-- the point lies.
CREATE TABLE addresses (
  LIKE feature_base INCLUDING ALL,
  address       text NOT NULL,
  village       text,
  neighbourhood text,
  street        text,
  area          text,
  lane          text,
  alley         text,
  number        text,
  -- Derived, shown: the district and county as named by the towns table, the 門牌號 for labels.
  county_name   text,
  town_name     text,
  door          text,
  -- Derived, for the search only (folded as address_parts writes them).
  addr_county   text,
  addr_town     text,
  addr_village  text,
  addr_lin      integer,
  -- Compared byte by byte (collation C): a btree on the key then serves both = and LIKE 'x%'
  -- and gives its rows in key order, which type-ahead reads only the first of.
  addr_road     text COLLATE "C" NOT NULL DEFAULT '',
  addr_key      text COLLATE "C" NOT NULL DEFAULT '',
  -- The key without its house number (road, 巷, 弄): the numbers along one street side by side.
  addr_street   text COLLATE "C" NOT NULL DEFAULT '',
  addr_unit     text NOT NULL DEFAULT '',
  house_number  integer,
  geom          geometry(Point, 4326) NOT NULL
);

CREATE FUNCTION addresses_parse() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p parsed_address;
  t record;
  v text;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.address IS NOT DISTINCT FROM OLD.address AND NEW.geom ~= OLD.geom THEN
    RETURN NEW;
  END IF;
  p := address_parts(NEW.address);
  -- The district from where the point lies when the address leaves it out; the village only
  -- where it is the key (an address without a road).
  IF p.town IS NULL THEN
    SELECT x.name, x.county_name INTO t FROM locate_town(NEW.geom) x;
    p := address_completed(p, t.name, t.county_name, NULL);
  END IF;
  IF p.village IS NULL AND p.road = '' THEN
    SELECT search_fold(x.name) INTO v FROM locate_village(NEW.geom) x;
    p := address_completed(p, NULL, NULL, v);
  END IF;
  NEW.addr_county := p.county;
  NEW.addr_town := p.town;
  NEW.addr_village := p.village;
  NEW.addr_lin := p.lin;
  NEW.addr_road := p.road;
  NEW.addr_key := p.key;
  NEW.addr_street := left(p.key, length(p.key) - coalesce(length(substring(p.rest FROM '[0-9]+(?:-[0-9]+)?號$')), 0));
  NEW.addr_unit := p.unit;
  NEW.house_number := p.house;
  NEW.door := nullif(p.rest, '');
  NEW.town_name := coalesce(p.town_name, p.town);
  NEW.county_name := coalesce(p.county_name, p.county);
  RETURN NEW;
END $$;

CREATE TRIGGER addresses_parse BEFORE INSERT OR UPDATE OF address, geom ON addresses
  FOR EACH ROW EXECUTE FUNCTION addresses_parse();

-- Found whole (=) and by their start (LIKE 'x%', type-ahead); a street's numbers and a road's
-- addresses together, in a district.
CREATE INDEX addresses_key ON addresses (addr_key) WHERE deleted_at IS NULL;
CREATE INDEX addresses_street ON addresses (addr_street, addr_town) WHERE deleted_at IS NULL AND house_number IS NOT NULL;
CREATE INDEX addresses_road ON addresses (addr_road, addr_town) WHERE deleted_at IS NULL AND addr_road <> '';

-- A layer like the others: history, no hard delete, the tiles' index, version and tile notes.
SELECT track_layer_table('addresses');
