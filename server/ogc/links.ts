/** Media types and links of OGC API documents. Every href is absolute, as QGIS and GDAL expect. */

export const MEDIA = {
  json: 'application/json',
  geojson: 'application/geo+json',
  openapi: 'application/vnd.oai.openapi+json;version=3.0',
  schema: 'application/schema+json',
} as const;

export interface Link {
  rel: string;
  type: string;
  href: string;
  title?: string;
}

export const link = (rel: string, type: string, href: string, title?: string): Link =>
  (title ? { rel, type, href, title } : { rel, type, href });
