import { api } from '../lib/api.js';

/** A basemap the map can draw beneath the layers (a preset on the web, or an archive this service serves). */
export interface BasemapInfo {
  id: string;
  title: string;
  kind: 'raster' | 'vector';
  origin: 'preset' | 'file';
  attribution: string;
  tiles: string[];
  tileSize: number;
  minzoom: number;
  maxzoom: number;
  bounds?: [number, number, number, number];
  /** Vector basemaps: a style whose layers draw it. */
  style?: string;
}

/** What this deployment tells the app (GET /api/app-config). */
export interface AppConfig {
  /** The basemaps offered besides the service's own layers; none by default, so nothing leaves the machine. */
  basemaps: BasemapInfo[];
  /** Where the map starts: a basemap's id, or null for the service's own layers alone. */
  defaultBasemap: string | null;
  /** [west, south, east, north] of the police units, where the map opens. */
  extent: [number, number, number, number] | null;
  /** Set when the demo city was seeded: its made-up records are labelled 示範資料 wherever they appear. */
  demo: { label: string; note: string; layers: string[] } | null;
}

export const loadConfig = () => api.get<AppConfig>('/api/app-config');
