import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { ANALYSES } from '../../server/analysis/endpoints.js';
import type { App } from '../../server/app.js';
import type { Queryable } from '../../server/db/db.js';
import { LAYERS } from '../../server/layers/registry.js';
import type { PropertyType, Role } from '../../server/layers/types.js';
import { TILE_ROUTE } from '../../server/tiles/handler.js';

/**
 * What the property-based fuzz test (test/fuzz.test.ts) sends: every route the service answers,
 * read from its Express routers (plus the tile route answered ahead of Express), with path
 * parameters, query strings, headers and bodies drawn from hostile and valid values alike.
 * Nothing here knows a route by hand, so a new route is fuzzed as soon as it is mounted.
 */

export interface Route {
  readonly method: string;
  /** Express path, e.g. /api/layers/:layer/features/:id */
  readonly path: string;
}

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/**
 * The methods a client of the service uses. `app.all` (a budget put in front of a group of
 * routes) registers every method Node knows; CONNECT cannot even be sent as a plain request.
 */
const CLIENT_METHODS = new Set(['get', 'head', 'post', 'put', 'patch', 'delete', 'options']);

/**
 * Every method + path the app routes (routers are mounted at the root, as server/app.ts does),
 * once each: a middleware mounted on a route's path (a budget) is the same route.
 */
export function routesOf(app: App): Route[] {
  const out: Route[] = [];
  const seen = new Set<string>();
  const walk = (stack: readonly RouterLayer[]) => {
    for (const l of stack) {
      if (l.route && typeof l.route.path === 'string') {
        for (const m of Object.keys(l.route.methods)) {
          const key = `${m} ${l.route.path}`;
          if (!CLIENT_METHODS.has(m) || seen.has(key)) continue;
          seen.add(key);
          out.push({ method: m, path: l.route.path });
        }
      } else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((app.express as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  out.push({ method: 'get', path: TILE_ROUTE });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Any text, lone surrogates and NUL included. */
const anyText = fc.string({ unit: fc.oneof({ weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, loneSurrogate, fc.constant('\u0000')), maxLength: 12 });
/** Valid text with something hostile put inside it. */
const spoiled = (valid: fc.Arbitrary<string>) => fc.tuple(valid, fc.constantFrom('\u0000', '\ud800', '\udc00', '%', ',', '\ufffd'), fc.nat())
  .map(([v, bad, at]) => { const i = at % (v.length + 1); return `${v.slice(0, i)}${bad}${v.slice(i)}`; });

const EDGE_TEXT = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00y', '\udbff\udfff', '0x1', '0x10', '0b1', '0o7', '1e3', '1e309', '+1', '-0', '007', ' 1', '1 ', '1.', '.5',
  'NaN', 'Infinity', '-Infinity', '2147483647', '2147483648', '-2147483649', '9007199254740993', '9223372036854775807',
  '9223372036854775808', '-9223372036854775809', '99999999999999999999', ',,,', ',', ',,,,,', '..', '../..', '/', '%', "'; DROP TABLE cameras; --",
  '\\', '"', '<script>alert(1)</script>', 'true', 'false', 'null', '[]', '{}', '中正路', '=HYPERLINK("http://x")', 'x'.repeat(3000),
  '0000-01-01', '0001-01-01', '9999-12-31', '10000-01-01', '2025-02-29', '2024-02-29', '2025-13-01', '2025-01-01T24:00', '2025-01-01T23:59:60',
  '2025-01-01T00:00:00+15:59', '2025-01-01T00:00:00-15:59', '2025-01-01T00:00:00+14:01', '2025-01-01T00:00:00+14:00', '2025-01-01T00:00:00+99:99',
  '0001-01-01T00:00:00+08:00', '9999-12-31T23:59:59-14:00', '2025-01-01/..', '../2025-01-01', '2025-01-01T', 'mon-sun', '22-2', '25', '0-23', '8-', '-1',
];

const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{1,${n}}$`));
const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Dates and times near and beyond every edge: year 0 and 10000, month 13, offsets past ±14:00. */
const dateText = fc.tuple(fc.oneof(fc.integer({ min: 0, max: 10001 }), fc.constantFrom(0, 1, 2025, 9999, 10000)), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }),
  fc.option(fc.tuple(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.constantFrom('', 'Z', '+08:00', '-03:30', '+14:00', '-14:00', '+14:01', '+15:59', '-16:00', '+99:99', '+0800', '+08')), { nil: undefined }))
  .map(([y, mo, d, t]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${t ? `T${pad(t[0], 2)}:${pad(t[1], 2)}:00${t[2]}` : ''}`);
const intervalText = fc.oneof(dateText, fc.tuple(fc.oneof(dateText, fc.constantFrom('..', '')), fc.oneof(dateText, fc.constantFrom('..', ''))).map(([a, b]) => `${a}/${b}`));
const bigIntText = fc.oneof(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.constantFrom(2n ** 31n, -(2n ** 31n) - 1n, 2n ** 53n + 1n, 2n ** 63n, -(2n ** 63n) - 1n, 10n ** 20n)).map(String);
const numberText = fc.oneof(fc.integer().map(String), bigIntText, fc.double().map(String), digits(25), fc.constantFrom('0x1', '1e3', ' 1', '', '-0', '007'));
const coordinate = fc.oneof(fc.double({ min: 118, max: 123, noNaN: true }), fc.double({ min: 21, max: 27, noNaN: true }), fc.double(), fc.constantFrom(0, -0, 180, -180, 90, -90, 181, 1e308));
const bboxText = fc.oneof(
  fc.array(fc.oneof(coordinate.map(String), fc.constantFrom('', ' ', 'x', '0x1', '1e1')), { minLength: 0, maxLength: 7 }).map((a) => a.join(',')),
  fc.tuple(fc.double({ min: 120.19, max: 120.23, noNaN: true }), fc.double({ min: 22.98, max: 23.0, noNaN: true }), fc.constantFrom(0.01, 0, -0.01))
    .map(([x, y, d]) => `${x},${y},${x + d},${y + d}`),
);
const cycleText = fc.oneof(fc.array(fc.oneof(fc.integer({ min: -1, max: 25 }).map(String), fc.constantFrom('mon', 'sun', 'x', '')), { minLength: 1, maxLength: 3 }).map((a) => a.join('-')),
  fc.constantFrom('22-2', '1-5', 'sat,sun', '0-23', '8,12-13', '-', ',', '1--2'));

const CHOICES = [...new Set(LAYERS.flatMap((l) => l.properties.flatMap((p) => (p.type.kind === 'enum' ? p.type.choices.map((c) => c.value) : []))))];
const LAYER_IDS = LAYERS.map((l) => l.id);
const TILED = LAYERS.filter((l) => l.tiles).map((l) => l.id);
const UNIT_CODES = ['P1', 'P2', 'S1', 'S2', 'B1', 'B2', 'B3', 'TN'];
const choiceList = fc.uniqueArray(fc.constantFrom(...CHOICES), { minLength: 1, maxLength: 3 }).map((a) => a.join(','));
const cursorText = fc.oneof(bigIntText, fc.integer({ min: 1, max: 40 }).map(String)).map((n) => Buffer.from(`id:${n}`).toString('base64url'));

/** A query-string or header value: hostile text, edges, and values valid somewhere. */
export const textValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...EDGE_TEXT) },
  { weight: 2, arbitrary: anyText },
  { weight: 2, arbitrary: numberText },
  { weight: 2, arbitrary: intervalText },
  { weight: 2, arbitrary: bboxText },
  { weight: 2, arbitrary: choiceList },
  { weight: 1, arbitrary: spoiled(fc.constantFrom(...CHOICES, ...UNIT_CODES, '中正路', '2025-01-01')) },
  { weight: 1, arbitrary: fc.constantFrom(...LAYER_IDS, ...UNIT_CODES, 'csv', 'geojson', 'kml', 'big5', 'EPSG:3826', 'EPSG:4326', 'json', 'label', 'name') },
  { weight: 1, arbitrary: cursorText },
);

/** The registry's type of each property name (the first layer that declares it). */
const PROPERTY_TYPES = new Map<string, PropertyType>();
for (const l of LAYERS) for (const prop of l.properties) if (!PROPERTY_TYPES.has(prop.name)) PROPERTY_TYPES.set(prop.name, prop.type);

/** Values shaped for what a name is (by the registry, or by the meaning of the list parameters), hostile at the edges. */
const TEXT_FOR_NAME: Record<string, fc.Arbitrary<string>> = {
  bbox: bboxText, datetime: intervalText, train: intervalText, test: intervalText, from: dateText, to: dateText,
  limit: numberText, cursor: cursorText, hour: cycleText, weekday: cycleText, lon: numberText, lat: numberText, k: numberText,
  types: choiceList, period: fc.oneof(fc.tuple(fc.integer({ min: 0, max: 10001 }), fc.constantFrom('', 'H1', 'Q3', '-01', '-13')).map(([y, x]) => `${pad(y, 4)}${x}`)),
};
function textFor(name: string): fc.Arbitrary<string> {
  const bare = name.slice(name.indexOf('.') + 1);
  const t = PROPERTY_TYPES.get(bare);
  // Own keys only: a hostile name such as 「constructor」 must not find Object's members.
  const typed = (Object.hasOwn(TEXT_FOR_NAME, bare) ? TEXT_FOR_NAME[bare] : undefined) ?? (() => {
    switch (t?.kind) {
      case 'integer': case 'reference': case 'number':
        return fc.oneof(numberText, fc.array(numberText, { minLength: 2, maxLength: 3 }).map((a) => a.join(',')));
      case 'enum': return fc.oneof(choiceList, spoiled(choiceList));
      case 'boolean': return fc.constantFrom('true', 'false', 'true,false', 'yes', '1');
      case 'date': case 'timestamp': return dateText;
      default: return undefined;
    }
  })();
  return typed ? fc.oneof({ weight: 3, arbitrary: typed }, textValue) : textValue;
}

/** A JSON value for a body: what a property or a parameter could be sent as. */
export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: textValue },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(2147483647, 2147483648, -2147483649, 2 ** 53 + 2, 2 ** 63, 1e308, -1e308, 5e-324, 0, 1990, 2025, 359.9, 360)) },
  { weight: 1, arbitrary: fc.oneof(fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.integer(), fc.constantFrom(2 ** 63, 2 ** 53 + 2, 1, 2, 3)), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('drug_lab', 'gun_workshop', 'x', '\u0000'), fc.array(textValue, { maxLength: 2 }), { maxKeys: 2 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** A property's value as a client might send it: shaped by its declared type, or anything. */
function jsonFor(name: string): fc.Arbitrary<unknown> {
  const t = PROPERTY_TYPES.get(name);
  const numbers = fc.oneof(fc.integer(), fc.constantFrom(2147483647, 2147483648, -2147483649, 2 ** 53 + 2, 2 ** 63, 1e308, -1, 0, 1990, 2025, 1.5));
  const typed = t?.kind === 'integer' || t?.kind === 'number' || t?.kind === 'reference' ? numbers
    : t?.kind === 'ids' ? fc.array(numbers, { maxLength: 3 })
      : t?.kind === 'date' || t?.kind === 'timestamp' ? dateText
        : t?.kind === 'text' || t?.kind === 'enum' ? fc.oneof(anyText, spoiled(fc.constantFrom(...CHOICES, '中正路')))
          : undefined;
  return typed ? fc.oneof({ weight: 3, arbitrary: typed }, jsonValue) : jsonValue;
}

// ---------------------------------------------------------------------------------------------
// Geometry, features and parameter objects

const CRS_NAMES = ['urn:ogc:def:crs:OGC:1.3:CRS84', 'EPSG:4326', 'urn:ogc:def:crs:EPSG::4326', 'EPSG:3826', 'urn:ogc:def:crs:EPSG::3826', 'EPSG:3828', 'x'];
const crsMember = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...CRS_NAMES).map((name) => ({ type: 'name', properties: { name } })) }, jsonValue);
const position = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.double({ min: 120.2, max: 120.23, noNaN: true }), fc.double({ min: 22.99, max: 23.0, noNaN: true })) },
  { weight: 1, arbitrary: fc.tuple(coordinate, coordinate) },
  { weight: 1, arbitrary: fc.constantFrom([169_500, 2_544_000], [22.995, 120.205]) },
);
const square = position.chain(([x, y]) => fc.double({ min: 1e-6, max: 0.005, noNaN: true })
  .map((d) => [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]));
export const geometry: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ type: fc.constant('Point'), coordinates: position, crs: crsMember }, { requiredKeys: ['type', 'coordinates'] }),
  fc.record({ type: fc.constant('Polygon'), coordinates: square, crs: crsMember }, { requiredKeys: ['type', 'coordinates'] }),
  fc.record({ type: fc.constantFrom('MultiPolygon', 'LineString', 'GeometryCollection', ''), coordinates: fc.jsonValue({ maxDepth: 3 }) }),
  jsonValue,
);

const PROPERTY_NAMES = [...PROPERTY_TYPES.keys()];
/** Properties of a layer's feature: mostly its own, each with a value shaped for its type. */
const propertiesArb = (names: readonly string[]) => fc.array(fc.oneof(
  ...(names.length ? [{ weight: 12, arbitrary: fc.constantFrom(...names) }] : []),
  { weight: 2, arbitrary: fc.constantFrom(...PROPERTY_NAMES, 'version') }, { weight: 1, arbitrary: anyText },
).chain((name) => jsonFor(name).map((v): [string, unknown] => [name, v])), { maxLength: 4 }).map((pairs) => Object.fromEntries(pairs));
/** A GeoJSON Feature for a layer (by its id; any other text: properties of any layer). */
const featureBody = (layer: string) => fc.record({
  type: fc.oneof({ weight: 5, arbitrary: fc.constant('Feature') }, jsonValue),
  geometry: fc.oneof(geometry, fc.constant(null)),
  properties: fc.oneof({ weight: 5, arbitrary: propertiesArb(LAYERS.find((l) => l.id === layer)?.properties.map((p) => p.name) ?? []) }, jsonValue),
  crs: crsMember,
}, { requiredKeys: [] });

/** Every parameter name a route may read: the registry's properties and filters, the analyses', and the others'. */
export const PARAMETER_NAMES = [...new Set([
  ...PROPERTY_NAMES,
  ...LAYERS.filter((l) => l.tiles).flatMap((l) => l.properties.map((p) => `${l.id}.${p.name}`)).filter((_, i) => i % 3 === 0),
  'bbox', 'limit', 'cursor', 'datetime', 'hour', 'weekday', 'f', 'q', 'lon', 'lat', 'format', 'crs', 'encoding', 'header',
  'by', 'unit', 'period', 'from', 'to', 'table', 'replaceAfter', 'dryRun', 'validOnly', 'replace', 'mapping', 'defaults',
  'source', 'filename', 'tolerance', 'preview', 'username', 'password',
  ...Object.values(ANALYSES).flatMap((a) => Object.keys(a.params)),
])];

const pointsArb = fc.array(fc.record({ lon: fc.oneof(coordinate, jsonValue), lat: fc.oneof(coordinate, jsonValue), weight: jsonValue, name: fc.oneof(anyText, jsonValue) }, { requiredKeys: ['lon', 'lat'] }), { maxLength: 3 });
/** Mostly the names the route takes, then any name some route takes, then any text. */
const parameterName = (own: readonly string[]) => fc.oneof(
  ...(own.length ? [{ weight: 14, arbitrary: fc.constantFrom(...own) }] : []),
  { weight: 1, arbitrary: fc.constantFrom(...PARAMETER_NAMES) },
  { weight: 1, arbitrary: anyText },
);
/** A parameter object for a JSON body (analysis, login): known names with values shaped for them. */
const paramsBody = (own: readonly string[]) => fc.array(parameterName(own).chain((name) =>
  fc.oneof({ weight: 4, arbitrary: textFor(name) }, jsonValue, geometry, pointsArb).map((v): [string, unknown] => [name, v])), { maxLength: 3 })
  .map((pairs) => Object.fromEntries(pairs));

// ---------------------------------------------------------------------------------------------
// Requests

/** Percent-encodes every code unit as UTF-8 bytes, lone surrogates as the bytes a careless encoder writes (invalid UTF-8). */
export function percentEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(cp))) {
      out += String.fromCharCode(cp);
      continue;
    }
    const bytes = cp < 0x80 ? [cp] : cp < 0x800 ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
      : cp < 0x10000 ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
        : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** A path or query component as sent: usually encoded text, sometimes broken encoding. */
const BROKEN_ENCODING = fc.constantFrom('%', '%zz', '%00', '%C0%80', '%ED%A0%80', '%FF', '%E4%B8', '%2e%2e');
const component = (value: fc.Arbitrary<string>) => fc.oneof({ weight: 9, arbitrary: value.map(percentEncode) }, BROKEN_ENCODING);

function pathValue(name: string): fc.Arbitrary<string> {
  switch (name) {
    case 'layer': case 'collection':
      return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...LAYER_IDS) }, textValue);
    case 'layers':
      return fc.oneof({ weight: 6, arbitrary: fc.uniqueArray(fc.constantFrom(...TILED), { minLength: 1, maxLength: 3 }).map((a) => a.join(',')) }, textValue);
    case 'id': case 'featureId':
      return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 40 }).map(String) }, textValue);
    case 'z': case 'x': case 'y':
      return fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 20 }).map(String) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 300_000 }).map(String) }, textValue);
    default:
      return textValue;
  }
}

export const ROLES: readonly Role[] = ['public', 'community', 'officer', 'planner', 'admin'];

export interface FuzzRequest {
  role: Role;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON value (sent as JSON), or raw bytes. */
  body?: { json: unknown } | { raw: string; type: string };
}

const rawBody = fc.record({
  raw: fc.oneof(anyText, fc.constantFrom('{"type": "Feature", "geometry": ', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '\u0000', 'id,name\n1,=1+1\n', '[' .repeat(5000))),
  type: fc.constantFrom('application/json', 'application/geo+json', 'text/csv', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded'),
});

/** Path parameters that name layers, whose parameters differ from layer to layer. */
const LAYER_PARAMS = ['layer', 'collection', 'layers'];

/** Parameter names a route takes, by the layer its path names ('' for routes that name none). */
export type ParameterNames = Readonly<Record<string, readonly string[]>>;

/**
 * How many requests a route gets: more for routes with more parameters (a listing takes a
 * dozen per layer), so each name is tried with hostile values a few times.
 */
export const runsFor = (own: ParameterNames, base: number) =>
  Math.min(base * 6, Math.max(base, Math.round(Object.values(own).reduce((n, names) => n + names.length, 0) * 0.8)));

/**
 * Requests for one route, as any role, with its path parameters filled and anything in the
 * query; `own` are the parameter names the route takes for the layer it names
 * (discoverParameters), favoured so that most requests get past the check of names to the
 * check of values.
 */
export function requestsFor(route: Route, roles: readonly Role[] = ROLES, own: ParameterNames = {}): fc.Arbitrary<FuzzRequest> {
  const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const layerAt = names.findIndex((n) => LAYER_PARAMS.includes(n));
  const writes = route.method === 'post' || route.method === 'patch' || route.method === 'put';
  const ifMatch = fc.option(fc.oneof(fc.constantFrom('*', '"1"', '"2"', 'W/"1"', '"0x1"', '"99999999999999999999"'), textValue), { nil: undefined });
  return fc.tuple(...names.map(pathValue)).chain((values) => {
    const ownNames = layerAt < 0 ? own[''] ?? [] : [...new Set(values[layerAt]!.split(',').flatMap((id) => own[id] ?? []))];
    const encoded = fc.tuple(...values.map((v) => fc.oneof({ weight: 9, arbitrary: fc.constant(percentEncode(v)) }, BROKEN_ENCODING)));
    // A few parameters at a time: the first bad one is refused, so each gets its turn.
    const pair = parameterName(ownNames).chain((name) => fc.tuple(fc.constant(percentEncode(name)), fc.option(component(textFor(name)), { nil: undefined, freq: 12 })));
    const query = fc.array(pair, { minLength: ownNames.length ? 1 : 0, maxLength: 3 }).map((pairs) => pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&'));
    const body = writes
      ? fc.oneof({ weight: 4, arbitrary: featureBody(layerAt < 0 ? '' : values[layerAt]!).map((json) => ({ json })) }, { weight: 3, arbitrary: paramsBody(ownNames).map((json) => ({ json })) },
        { weight: 1, arbitrary: jsonValue.map((json) => ({ json })) }, { weight: 1, arbitrary: rawBody })
      : fc.constant(undefined);
    return fc.record({ role: fc.constantFrom(...roles), params: encoded, query, body, ifMatch });
  }).map(({ role, params: values, query: q, body: b, ifMatch: m }) => {
    let i = 0;
    const path = route.path.replace(/:([A-Za-z]+)/g, () => values[i++]!);
    const headers: Record<string, string> = {};
    // Header values travel as Latin-1: keep what a client could send.
    if (m !== undefined && /^[\x20-\x7e]*$/.test(m)) headers['if-match'] = m;
    return { role, method: route.method.toUpperCase(), url: q ? `${path}?${q}` : path, headers, ...(b ? { body: b } : {}) };
  });
}

// ---------------------------------------------------------------------------------------------
// Sending and checking

/** Valid path values, to ask a route which parameters it takes. */
const SAMPLE_PATH: Record<string, readonly string[]> = {
  layer: LAYER_IDS, collection: LAYER_IDS, layers: TILED, id: ['1'], featureId: ['1'], z: ['14'], x: ['13720'], y: ['7172'],
};

/**
 * The parameter names a route takes, as the service itself says: an unknown parameter is
 * refused with the accepted names in `error.details.accepted` (server/http/parameters.ts).
 * Asked once for every layer a route's path can name; a route that takes none says nothing.
 */
export async function discoverParameters(port: number, route: Route, token: string): Promise<ParameterNames> {
  const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const choices = names.map((n) => SAMPLE_PATH[n] ?? ['x']);
  const layerAt = names.findIndex((n) => LAYER_PARAMS.includes(n));
  const out: Record<string, string[]> = {};
  const fill = (i: number, path: string, key: string): [string, string][] => (i === names.length ? [[path, key]]
    : choices[i]!.flatMap((v) => fill(i + 1, path.replace(`:${names[i]}`, v), i === layerAt ? v : key)));
  const probe = 'zz_probe';
  // A DELETE would delete: it takes no parameters anyway.
  if (route.method === 'delete') return out;
  for (const [path, key] of fill(0, route.path, '')) {
    const writes = route.method !== 'get' && route.method !== 'head';
    const r: FuzzRequest = { role: 'admin', method: route.method.toUpperCase(), url: `${path}?${probe}=1`, headers: { 'if-match': '*' }, ...(writes ? { body: { json: { [probe]: 1 } } } : {}) };
    const a = await send(port, r, token, 20_000);
    if (a.status !== 400 || !/json/.test(a.type)) continue;
    const accepted = (JSON.parse(a.body) as { error?: { field?: string; details?: { accepted?: unknown } } }).error;
    if (accepted?.field === probe && Array.isArray(accepted.details?.accepted)) out[key] = accepted.details.accepted.map(String);
  }
  return out;
}

export interface Answer {
  status: number;
  type: string;
  body: string;
}

/** One request over a real socket, abandoned after `guardMs` (a hang is a failure, not a wait). */
export function send(port: number, r: FuzzRequest, token: string | undefined, guardMs: number): Promise<Answer> {
  const headers: Record<string, string | number> = { ...r.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: Buffer | undefined;
  if (r.body) {
    payload = Buffer.from('json' in r.body ? JSON.stringify(r.body.json) ?? 'null' : r.body.raw);
    headers['content-type'] = 'json' in r.body ? 'application/json' : r.body.type;
    headers['content-length'] = payload.length;
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(guardMs, () => req.destroy(new Error(`no answer within ${guardMs / 1000} s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export async function listen(app: App): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * What a refused request must leave as it was: rows and versions of every layer table (a soft
 * delete or an edit moves a version), history, and import bookkeeping.
 */
export async function stateOf(db: Queryable): Promise<string> {
  const parts = LAYERS.map((l) => `(SELECT count(*) || '/' || coalesce(sum(version), 0) FROM ${l.table})`);
  parts.push('(SELECT count(*)::text FROM feature_history)', '(SELECT count(*)::text FROM import_sources)', '(SELECT count(*)::text FROM feature_sources)');
  const { rows } = await db.query<{ state: string }>(`SELECT ${parts.join(` || ',' || `)} AS state`);
  return rows[0]!.state;
}

/** A request as a person reads it in a failure report. */
export const describe = (r: FuzzRequest, a?: Answer) =>
  `${r.role}: ${r.method} ${r.url}${r.body ? `\n  body: ${('json' in r.body ? JSON.stringify(r.body.json) : JSON.stringify(r.body.raw)).slice(0, 400)}` : ''}` +
  `${a ? `\n  → ${a.status} ${a.type} ${a.body.slice(0, 400)}` : ''}`;
