import { api } from '../lib/api.js';

/** What this deployment tells the app (GET /api/app-config). */
export interface AppConfig {
  /** A raster basemap the operator configured; null by default, so nothing leaves the machine. */
  basemap: { tiles: string[]; attribution: string; tileSize: number } | null;
  /** [west, south, east, north] of the police units, where the map opens. */
  extent: [number, number, number, number] | null;
}

export const loadConfig = () => api.get<AppConfig>('/api/app-config');
