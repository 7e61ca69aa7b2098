import { insideTaiwan } from '../geo/taiwan.js';
import { refusal } from '../http/messages.js';

/**
 * Coordinate reference systems of Taiwanese registers, named by EPSG code. Transformations to
 * WGS84 are done by PostGIS (to_wgs84 in sql/migrations/011_import.sql, with TWD67's datum shift).
 */
export const CRS = {
  4326: 'WGS84 經緯度',
  3824: 'TWD97 經緯度',
  3826: 'TWD97 / TM2 121（臺灣本島）',
  3825: 'TWD97 / TM2 119（澎湖、金門、馬祖）',
  3828: 'TWD67 / TM2 121（舊地籍、舊圖）',
} as const;
export type Srid = keyof typeof CRS;
export const SRIDS = Object.keys(CRS).map(Number) as Srid[];

export const crsName = (srid: Srid) => `EPSG:${srid}`;
/** Every system transformed here, as refusals list them: EPSG:3826（TWD97 / TM2 121（臺灣本島））… */
export const knownCrs = () => SRIDS.map((s) => `${crsName(s)}（${CRS[s]}）`);
export const isProjected = (srid: Srid) => srid !== 4326 && srid !== 3824;

const WORDS: Record<string, Srid> = {
  wgs84: 4326, crs84: 4326, 'wgs 84': 4326, twd97: 3826, 'twd97/tm2': 3826, twd67: 3828, 'twd67/tm2': 3828,
  'twd97 經緯度': 3824,
};

/** `EPSG:3826`, `3826`, `urn:ogc:def:crs:EPSG::3826`, `TWD97`, `TWD67`, `WGS84`, `CRS84`; undefined when not ours. */
export function sridNamed(name: string): Srid | undefined {
  const s = name.trim().toLowerCase();
  if (WORDS[s] !== undefined) return WORDS[s];
  if (/crs84$/.test(s)) return 4326;
  const m = /(?:^|epsg:{1,2}|epsg\/0\/|^urn:ogc:def:crs:epsg:[\d.]*:)(\d{4,5})$/.exec(s);
  const srid = m ? Number(m[1]) : NaN;
  return (SRIDS as number[]).includes(srid) ? (srid as Srid) : undefined;
}

export function parseCrsParam(name: string): Srid {
  const srid = sridNamed(name);
  if (srid === undefined) {
    throw refusal(400, 'crs_unknown', { value: name, known: knownCrs() }, { field: 'crs' });
  }
  return srid;
}

/**
 * The CRS a Shapefile's .prj (ESRI WKT) describes, or undefined. Read by its parts, since the
 * same system is spelled many ways: geographic or TM2, central meridian 121° or 119°, and the
 * datum (TWD67 on the 1967 ellipsoid, or TWD97/WGS84 on GRS80).
 */
export function sridFromPrj(wkt: string): Srid | undefined {
  const s = wkt.toUpperCase();
  const authority = /AUTHORITY\["EPSG",\s*"?(\d+)"?\]\s*\]\s*$/.exec(s.trim());
  if (authority && (SRIDS as number[]).includes(Number(authority[1]))) return Number(authority[1]) as Srid;
  const twd67 = /TWD_?67|1967|HU_?TZU|AUSTRALIAN/.test(s);
  if (!s.startsWith('PROJCS')) return s.startsWith('GEOGCS') && !twd67 ? (/TWD_?97|1997/.test(s) ? 3824 : 4326) : undefined;
  if (!/TRANSVERSE_MERCATOR/.test(s)) return undefined;
  const meridian = Number(/CENTRAL_MERIDIAN",\s*([-\d.]+)/.exec(s)?.[1]);
  const easting = Number(/FALSE_EASTING",\s*([-\d.]+)/.exec(s)?.[1]);
  if (easting !== 250000) return undefined;
  if (meridian === 121) return twd67 ? 3828 : 3826;
  if (meridian === 119 && !twd67) return 3825;
  return undefined;
}

/** A hint in a column header: `TWD67_X`, `X(TWD97)`, `經度`. */
export function sridHintInHeader(header: string): Srid | undefined {
  const h = header.toUpperCase();
  if (/TWD\s*_?\s*67|67\s*[XY]\b|[XY]\s*_?\s*67\b/.test(h)) return 3828;
  if (/TWD\s*_?\s*97|97\s*[XY]\b|[XY]\s*_?\s*97\b/.test(h)) return 3826;
  return undefined;
}

/** TM2 eastings and northings around Taiwan and its islands (zone 121 or 119), in metres. */
export const looksLikeTm2 = (x: number, y: number) => x > -50_000 && x < 500_000 && y > 2_300_000 && y < 2_950_000;
const looksLikeDegrees = (x: number, y: number) => Math.abs(x) <= 180 && Math.abs(y) <= 90;

export interface ValueGuess {
  /** Degrees or TM2 metres; `unknown` when the values are neither. */
  kind: 'degrees' | 'metres' | 'unknown';
  /** The columns hold (y, x): latitude first, or northing first. */
  swapped: boolean;
  /** How many samples fit the guess, of how many. */
  fit: number;
  of: number;
}

/**
 * What a file's coordinate values are, from their ranges: degrees inside Taiwan, or TM2 metres;
 * and whether the two columns are the wrong way round. Turning the columns round takes most of
 * the rows, so a few bad rows do not turn the file round; they are reported on their own.
 * Columns named as longitude and latitude (`expected: 'degrees'`) are degrees unless most rows
 * are plainly metres (registers do label TWD97 columns 經度/緯度).
 */
export function guessFromValues(samples: readonly [number, number][], expected?: 'degrees'): ValueGuess {
  const of = samples.length;
  const count = (test: (x: number, y: number) => boolean) => samples.filter(([x, y]) => test(x, y)).length;
  const most = (n: number) => n * 2 > of;
  const pick = (kind: 'degrees' | 'metres', straight: number, turned: number): ValueGuess =>
    (turned > straight && most(turned) ? { kind, swapped: true, fit: turned, of } : { kind, swapped: false, fit: straight, of });
  const degrees = pick('degrees', count((x, y) => insideTaiwan(x, y)), count((x, y) => insideTaiwan(y, x)));
  const metres = pick('metres', count(looksLikeTm2), count((x, y) => looksLikeTm2(y, x)));
  if (expected === 'degrees') return most(metres.fit) ? metres : degrees;
  if (metres.fit > degrees.fit) return metres;
  if (degrees.fit > 0) return degrees;
  // Nothing is in Taiwan: still say degrees or metres, so the rows are refused with a reason.
  return { kind: most(count(looksLikeDegrees)) || count(looksLikeDegrees) * 2 === of ? 'degrees' : 'unknown', swapped: false, fit: 0, of };
}
