import { api } from '../lib/api.js';

/** A feature as the feature API returns it (GeoJSON with the version in its properties). */
export interface Feature {
  type: 'Feature';
  id: number;
  geometry: GeoJSON.Geometry | null;
  properties: Record<string, unknown> & { version: number };
}

export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
  numberMatched: number;
  numberReturned: number;
}

export const featureUrl = (layer: string, id: number) => `/api/layers/${layer}/features/${id}`;

export const getFeature = (layer: string, id: number) => api.get<Feature>(featureUrl(layer, id));

/** Every feature matching a listing query (following `next` pages up to `max`). */
export async function listFeatures(layer: string, params: Record<string, string>, max = 10_000): Promise<Feature[]> {
  const out: Feature[] = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ ...params, limit: String(Math.min(max - out.length, 10_000)), ...(cursor ? { cursor } : {}) });
    const page = await api.get<FeatureCollection & { nextCursor?: string }>(`/api/layers/${layer}/features?${q}`);
    out.push(...page.features);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

/** The ETag of a feature as its version, for If-Match. */
export const etagOf = (f: Feature) => `"${f.properties.version}"`;
