import type { LayerDef } from '../layers/types.js';

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
];

/** A small OpenAPI 3.0 description of /ogc, with the collections the caller may read. */
export function openApi(base: string, layers: readonly LayerDef[]) {
  const json = (description: string, type = 'application/json') => ({ description, content: { [type]: { schema: { type: 'object' } } } });
  const query = (name: string, description: string, schema: object) => ({ name, in: 'query', required: false, description, schema });
  return {
    openapi: '3.0.3',
    info: { title: '社區治安電子地圖 OGC API – Features', version: '1.0.0', description: `Conforms to: ${CONFORMANCE.join(', ')}` },
    servers: [{ url: `${base}/ogc` }],
    paths: {
      '/': { get: { summary: 'landing page', responses: { 200: json('links to the API, conformance and collections') } } },
      '/conformance': { get: { summary: 'conformance classes', responses: { 200: json('conformsTo') } } },
      '/collections': { get: { summary: 'collections', responses: { 200: json('every collection the caller may read') } } },
      '/collections/{collectionId}': {
        get: {
          summary: 'one collection',
          parameters: [{ name: 'collectionId', in: 'path', required: true, schema: { type: 'string', enum: layers.map((l) => l.id) } }],
          responses: { 200: json('the collection'), 404: json('no such collection') },
        },
      },
      '/collections/{collectionId}/items': {
        get: {
          summary: 'features of a collection, paged by the next link',
          parameters: [
            { name: 'collectionId', in: 'path', required: true, schema: { type: 'string', enum: layers.map((l) => l.id) } },
            query('bbox', 'minLon,minLat,maxLon,maxLat (CRS84)', { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 }),
            query('limit', 'features per page, 1–10000 (default 100)', { type: 'integer', minimum: 1, maximum: 10000 }),
            query('datetime', 'instant or interval (start/end, either may be ..) on temporal collections', { type: 'string' }),
            query('cursor', 'from the next link', { type: 'string' }),
          ],
          responses: { 200: json('a FeatureCollection', 'application/geo+json'), 400: json('a parameter is wrong (error.field names it)') },
        },
      },
      '/collections/{collectionId}/items/{featureId}': {
        get: {
          summary: 'one feature',
          parameters: [
            { name: 'collectionId', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'featureId', in: 'path', required: true, schema: { type: 'integer' } },
          ],
          responses: { 200: json('a Feature', 'application/geo+json'), 404: json('no such feature') },
        },
      },
    },
  };
}
