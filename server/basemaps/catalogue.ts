import { TILES_DIR, configuredPresets, customPreset, loadPresets, OFFLINE, type Preset } from './presets.js';
import { openLocalBasemaps, type LocalBasemap } from './local.js';
import { safeAttribution } from './attribution.js';
import { loadStyleTemplates } from './style.js';

/** A basemap as the web app offers it in its switcher (GET /api/app-config). */
export interface BasemapInfo {
  id: string;
  title: string;
  kind: 'raster' | 'vector';
  /** A preset on the web, or an archive this service serves. */
  origin: 'preset' | 'file';
  attribution: string;
  tiles: string[];
  tileSize: number;
  minzoom: number;
  maxzoom: number;
  bounds?: [number, number, number, number];
  /** Vector basemaps: a MapLibre style whose layers draw it. */
  style?: string;
}

export const tileExt = (b: LocalBasemap) => b.archive.info.format;

/**
 * The basemaps this deployment offers: the presets BASEMAP names and the local archives, with
 * the one the map starts on (null: the service's own layers alone, which is also where the
 * user can always go back to).
 */
export class Basemaps {
  private readonly byName: Map<string, LocalBasemap>;

  constructor(readonly presets: readonly Preset[], readonly files: readonly LocalBasemap[], readonly defaultId: string | null) {
    this.byName = new Map(files.map((f) => [f.name, f]));
  }

  /** Nothing but the service's own layers: no request leaves the machine. */
  static none(): Basemaps {
    return new Basemaps([], [], null);
  }

  file(name: string): LocalBasemap | undefined {
    return this.byName.get(name);
  }

  /** Where the page may load basemap tiles from besides this origin (the presets' hosts). */
  origins(): string[] {
    return [...new Set(this.presets.flatMap((p) => p.tiles.map((t) => new URL(t.replace(/[{}]/g, '')).origin)))];
  }

  list(baseUrl: string): BasemapInfo[] {
    const presets = this.presets.map((p): BasemapInfo => ({
      id: p.name, title: p.title, kind: 'raster', origin: 'preset', attribution: safeAttribution(p.attribution),
      tiles: p.tiles, tileSize: p.tileSize, minzoom: p.minzoom, maxzoom: p.maxzoom, ...(p.bounds ? { bounds: p.bounds } : {}),
    }));
    const files = this.files.map((f): BasemapInfo => {
      const { info } = f.archive;
      const path = `${baseUrl}/basemaps/${encodeURIComponent(f.name)}`;
      return {
        id: f.name, title: f.title, kind: info.format === 'mvt' ? 'vector' : 'raster', origin: 'file', attribution: f.attribution,
        tiles: [`${path}/{z}/{x}/{y}.${tileExt(f)}`], tileSize: f.tileSize, minzoom: info.minzoom, maxzoom: info.maxzoom,
        ...(info.bounds ? { bounds: info.bounds } : {}),
        ...(f.layers ? { style: `${path}/style.json` } : {}),
      };
    });
    return [...presets, ...files];
  }

  async close(): Promise<void> {
    await Promise.all(this.files.map((f) => f.archive.close()));
  }
}

export interface BasemapSettings {
  /** BASEMAP: preset names in the switcher's order; the first is where the map starts. */
  names: readonly string[];
  /** BASEMAP_FILES: archives and folders of archives; the tiles/ folder when not set. */
  files?: readonly string[];
  /** BASEMAP_URL and BASEMAP_ATTRIBUTION: a raster template offered as the `custom` preset. */
  customUrl?: string;
  customAttribution?: string;
}

/**
 * The basemaps of a deployment from its settings: presets from tiles/presets, archives opened
 * (each refused on its own, logged), the start basemap chosen — the first BASEMAP names, or
 * the first archive when BASEMAP names none, or the service's own layers (`offline` first in
 * BASEMAP, or nothing configured).
 */
export async function openBasemaps(s: BasemapSettings, log: (line: string) => void): Promise<Basemaps> {
  const available = loadPresets();
  const custom = s.customUrl ? customPreset(s.customUrl, s.customAttribution ?? '') : undefined;
  const presets = configuredPresets(s.names, available, custom);
  const files = await openLocalBasemaps(s.files ?? [TILES_DIR], {
    templates: loadStyleTemplates(), reserved: [OFFLINE, ...available.keys(), ...(custom ? [custom.name] : [])], log,
  });
  const first = s.names[0];
  const defaultId = first === OFFLINE ? null : (presets[0]?.name ?? files[0]?.name ?? null);
  return new Basemaps(presets, files, defaultId);
}
