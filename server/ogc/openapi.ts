import type { Principal } from '../auth/principal.js';
import { SESSION_COOKIE } from '../auth/middleware.js';
import { DEFAULT_LIMIT, filterableProperties, MAX_LIMIT } from '../features/list-query.js';
import type { LayerDef, PropertyDef } from '../layers/types.js';
import { MEDIA } from './links.js';

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
];

/**
 * OpenAPI 3.0 definition of /ogc for the caller: one set of paths per collection it may read,
 * so a public caller's definition does not even name the internal layers. Clients read it:
 * QGIS takes the page size from `components.parameters.limit` and the simple filters from the
 * parameters of `/collections/{id}/items`; GDAL looks up the same path to push `-where`
 * equalities down to the server.
 */
export function openApi(base: string, layers: readonly LayerDef[], p: Principal) {
  const paths: Record<string, object> = {
    '/': op('landing page', 'LandingPage', ['f']),
    '/api': op('this API definition', 'Api', ['f']),
    '/conformance': op('conformance classes implemented', 'Conformance', ['f']),
    '/collections': op('the collections the caller may read', 'Collections', ['f']),
  };
  for (const layer of layers) {
    const at = `/collections/${layer.id}`;
    paths[at] = op(`${layer.title}: description and extent`, 'Collection', ['f'], true);
    paths[`${at}/items`] = op(`${layer.title}: features, a page at a time (follow the next link)`, 'Features',
      ['bbox', 'limit', 'datetime', 'cursor', 'f'], true, filterableProperties(layer, p).map(filterParameter));
    paths[`${at}/items/{featureId}`] = op(`${layer.title}: one feature`, 'Feature', ['featureId', 'f'], true);
    paths[`${at}/schemas/feature`] = op(`${layer.title}: JSON Schema of the features`, 'Schema', ['f'], true);
  }
  return {
    openapi: '3.0.3',
    info: {
      title: '社區治安電子地圖 OGC API – Features',
      version: '1.0.0',
      description: 'Layers of the community-safety e-map as OGC API – Features collections. Without a session only '
        + 'public layers and rows are served; sign in with POST /api/login and send the token as a Bearer header '
        + `or the ${SESSION_COOKIE} cookie. Coordinates are WGS84 longitude, latitude (CRS84).`,
      contact: { name: '社區治安電子地圖' },
    },
    servers: [{ url: `${base}/ogc` }],
    security: [{}, { bearer: [] }, { session: [] }],
    paths,
    components: { parameters: PARAMETERS, responses: RESPONSES, schemas: SCHEMAS, securitySchemes: SECURITY },
  };
}

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** A GET operation answering `response`, with the usual errors. */
function op(summary: string, response: string, parameters: string[], inCollection = false, extra: object[] = []) {
  return {
    get: {
      summary,
      parameters: [...parameters.map((n) => ref('parameters', n)), ...extra],
      responses: {
        200: ref('responses', response),
        ...(response === 'Feature' ? { 304: ref('responses', 'NotModified') } : {}),
        400: ref('responses', 'InvalidParameter'),
        401: ref('responses', 'Unauthorized'),
        ...(inCollection ? { 404: ref('responses', 'NotFound') } : {}),
        500: ref('responses', 'ServerError'),
        503: ref('responses', 'Unavailable'),
      },
    },
  };
}

/** `?name=value`, or `?name=a,b` for any of several values, on a property of the layer. */
function filterParameter(prop: PropertyDef) {
  const schema = prop.type.kind === 'enum' ? { type: 'string', enum: prop.type.choices.map((c) => c.value) }
    : prop.type.kind === 'boolean' ? { type: 'boolean' }
    : prop.type.kind === 'integer' || prop.type.kind === 'reference' ? { type: 'integer' }
    : { type: 'string' };
  return {
    name: prop.name,
    in: 'query',
    required: false,
    description: `${prop.label}: features whose ${prop.name} equals the value; several values separated by commas match any of them`,
    style: 'form',
    explode: false,
    schema,
  };
}

const query = (name: string, description: string, schema: object) => ({ name, in: 'query', required: false, description, style: 'form', explode: false, schema });

const PARAMETERS = {
  bbox: query('bbox', 'Only features whose geometry intersects minLon,minLat,maxLon,maxLat (CRS84 degrees); '
    + 'of a 3D box minLon,minLat,minHeight,maxLon,maxLat,maxHeight the footprint is used.',
    { type: 'array', oneOf: [{ minItems: 4, maxItems: 4 }, { minItems: 6, maxItems: 6 }], items: { type: 'number' } }),
  limit: query('limit', `Features per page. Above ${MAX_LIMIT} is taken as ${MAX_LIMIT}; the next link continues.`,
    { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }),
  datetime: query('datetime', 'An instant or an interval start/end, either end open as "..": RFC 3339 date-times, '
    + 'or dates standing for the whole day (a time without an offset is Taiwan time). Matches every feature of a '
    + 'collection without time.', { type: 'string' }),
  cursor: query('cursor', 'Where the page starts; take it from the next link rather than building it.', { type: 'string' }),
  f: query('f', 'The format of the answer; only json is served.', { type: 'string', enum: ['json'] }),
  featureId: { name: 'featureId', in: 'path', required: true, description: 'id of the feature', schema: { type: 'integer', minimum: 1 } },
};

const content = (type: string, schema: object) => ({ content: { [type]: { schema } } });

const RESPONSES = {
  LandingPage: { description: 'links to the API definition, the conformance classes and the collections', ...content(MEDIA.json, ref('schemas', 'landingPage')) },
  Api: { description: 'this document', ...content(MEDIA.openapi, { type: 'object' }) },
  Conformance: { description: 'conformance classes', ...content(MEDIA.json, ref('schemas', 'confClasses')) },
  Collections: { description: 'the collections', ...content(MEDIA.json, ref('schemas', 'collections')) },
  Collection: { description: 'one collection', ...content(MEDIA.json, ref('schemas', 'collection')) },
  Features: {
    description: 'a page of features; numberMatched counts all that match, the next link gives the following page',
    ...content(MEDIA.geojson, ref('schemas', 'featureCollectionGeoJSON')),
  },
  Feature: {
    description: 'one feature; its ETag is its version',
    headers: { ETag: { schema: { type: 'string' } } },
    ...content(MEDIA.geojson, ref('schemas', 'featureGeoJSON')),
  },
  Schema: { description: 'JSON Schema of the features of the collection', ...content(MEDIA.schema, { type: 'object' }) },
  NotModified: { description: 'the feature has not changed since the ETag given in If-None-Match' },
  InvalidParameter: { description: 'a query parameter is wrong or unknown; error.field names it', ...content(MEDIA.json, ref('schemas', 'exception')) },
  Unauthorized: { description: 'the session token is invalid or has expired', ...content(MEDIA.json, ref('schemas', 'exception')) },
  NotFound: { description: 'no such collection (or not one the caller may read), or no such feature', ...content(MEDIA.json, ref('schemas', 'exception')) },
  ServerError: { description: 'an unexpected error', ...content(MEDIA.json, ref('schemas', 'exception')) },
  Unavailable: { description: 'the database is unavailable; retry after the Retry-After header', ...content(MEDIA.json, ref('schemas', 'exception')) },
};

const links = { type: 'array', items: ref('schemas', 'link') };
const dateTimeOrNull = { type: 'string', format: 'date-time', nullable: true };

const SCHEMAS = {
  exception: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
      },
    },
  },
  link: {
    type: 'object',
    required: ['href', 'rel'],
    properties: { href: { type: 'string' }, rel: { type: 'string' }, type: { type: 'string' }, title: { type: 'string' } },
  },
  landingPage: { type: 'object', required: ['links'], properties: { title: { type: 'string' }, description: { type: 'string' }, links } },
  confClasses: { type: 'object', required: ['conformsTo'], properties: { conformsTo: { type: 'array', items: { type: 'string' } } } },
  collections: { type: 'object', required: ['links', 'collections'], properties: { links, collections: { type: 'array', items: ref('schemas', 'collection') } } },
  collection: {
    type: 'object',
    required: ['id', 'links'],
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      itemType: { type: 'string', enum: ['feature'] },
      crs: { type: 'array', items: { type: 'string' } },
      extent: {
        type: 'object',
        properties: {
          spatial: {
            type: 'object',
            properties: {
              bbox: { type: 'array', minItems: 1, items: { type: 'array', minItems: 4, maxItems: 4, items: { type: 'number' } } },
              crs: { type: 'string' },
            },
          },
          temporal: {
            type: 'object',
            properties: {
              interval: { type: 'array', minItems: 1, items: { type: 'array', minItems: 2, maxItems: 2, items: dateTimeOrNull } },
              trs: { type: 'string' },
            },
          },
        },
      },
      links,
    },
  },
  featureCollectionGeoJSON: {
    type: 'object',
    required: ['type', 'features'],
    properties: {
      type: { type: 'string', enum: ['FeatureCollection'] },
      features: { type: 'array', items: ref('schemas', 'featureGeoJSON') },
      links,
      timeStamp: { type: 'string', format: 'date-time' },
      numberMatched: { type: 'integer', minimum: 0 },
      numberReturned: { type: 'integer', minimum: 0 },
    },
  },
  featureGeoJSON: {
    type: 'object',
    required: ['type', 'geometry', 'properties'],
    properties: {
      type: { type: 'string', enum: ['Feature'] },
      id: { type: 'integer' },
      geometry: { type: 'object', nullable: true, description: 'a GeoJSON Point or MultiPolygon' },
      properties: { type: 'object', nullable: true },
      links,
    },
  },
};

const SECURITY = {
  bearer: { type: 'http', scheme: 'bearer', description: 'the token from POST /api/login' },
  session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'the session cookie set by POST /api/login' },
};
