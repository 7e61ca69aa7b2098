import { Router } from 'express';
import { baseUrl } from '../http/base-url.js';
import { refusal } from '../http/messages.js';
import { BASEMAP_SOURCE } from './style.js';
import type { Basemaps } from './catalogue.js';

const CACHE_CONTROL = 'public, max-age=300';

/**
 * What describes a local archive: /basemaps/{name}.json (TileJSON 3.0.0) and, for a vector
 * archive, /basemaps/{name}/style.json (a MapLibre style drawing it, with no glyphs or sprite).
 * The tiles themselves are answered by basemapTileHandler, ahead of Express.
 */
export function basemapRoutes(basemaps: Basemaps): Router {
  const r = Router();
  const find = (name: string) => {
    const b = basemaps.file(name);
    if (!b) throw refusal(404, 'basemap_unknown', { name });
    return b;
  };
  const describe = (base: string, name: string) => basemaps.list(base).find((i) => i.origin === 'file' && i.id === name)!;

  r.get('/basemaps/:name.json', (req, res) => {
    const b = find(req.params.name);
    const i = describe(baseUrl(req), b.name);
    const { info } = b.archive;
    res.set('Cache-Control', CACHE_CONTROL).json({
      tilejson: '3.0.0', name: b.title, ...(info.description ? { description: info.description } : {}),
      attribution: i.attribution, scheme: 'xyz', tiles: i.tiles, minzoom: i.minzoom, maxzoom: i.maxzoom,
      ...(info.bounds ? { bounds: info.bounds } : {}), ...(info.center ? { center: info.center } : {}),
      format: info.format === 'mvt' ? 'pbf' : info.format,
      ...(info.format === 'mvt' ? { vector_layers: info.vectorLayers } : {}),
    });
  });

  r.get('/basemaps/:name/style.json', (req, res) => {
    const b = find(req.params.name);
    if (!b.layers) throw refusal(404, 'basemap_unknown', { name: `${b.name}/style.json` });
    const i = describe(baseUrl(req), b.name);
    res.set('Cache-Control', CACHE_CONTROL).json({
      version: 8, name: b.title,
      sources: { [BASEMAP_SOURCE]: { type: 'vector', tiles: i.tiles, minzoom: i.minzoom, maxzoom: i.maxzoom, attribution: i.attribution, ...(i.bounds ? { bounds: i.bounds } : {}) } },
      layers: b.layers,
    });
  });

  return r;
}
