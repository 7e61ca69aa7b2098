import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The top-level tiles/ folder: basemap presets and styles, and the archives an operator drops in. */
export const TILES_DIR = fileURLToPath(new URL('../../tiles/', import.meta.url));

const template = z.string().url().refine((u) => ['{z}', '{x}', '{y}'].every((k) => u.includes(k)) && /^https?:/.test(u),
  'must be an http(s) XYZ template with {z}, {x} and {y}');

/** A preset file, tiles/presets/NAME.json: a raster basemap on the web that BASEMAP names. */
const presetSchema = z.object({
  title: z.string().min(1),
  description: z.string().default(''),
  kind: z.literal('raster'),
  tiles: z.array(template).min(1).max(8),
  tileSize: z.union([z.literal(256), z.literal(512)]).default(256),
  minzoom: z.number().int().min(0).max(24).default(0),
  maxzoom: z.number().int().min(0).max(24),
  bounds: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  attribution: z.string().min(1),
  /** Where and how it may be used, for the README and the operator. */
  terms: z.string().default(''),
});

export type Preset = z.infer<typeof presetSchema> & { name: string };

/** The name under which BASEMAP_URL is offered (a preset made from the environment). */
export const CUSTOM_PRESET = 'custom';
/** The name in BASEMAP that stands for the service's own layers with no basemap beneath. */
export const OFFLINE = 'offline';

/** Every preset in a folder (tiles/presets by default), by name; a broken file stops the start. */
export function loadPresets(dir = join(TILES_DIR, 'presets')): Map<string, Preset> {
  const out = new Map<string, Preset>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const name = basename(file, '.json');
    const parsed = presetSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    if (!parsed.success) throw new Error(`basemap preset ${join(dir, file)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    out.set(name, { ...parsed.data, name });
  }
  return out;
}

/** BASEMAP_URL and BASEMAP_ATTRIBUTION as a preset, as they were before presets existed. */
export function customPreset(url: string, attribution: string): Preset {
  const host = new URL(url.replace(/[{}]/g, '')).host;
  return { ...presetSchema.parse({ title: '自訂底圖', kind: 'raster', tiles: [url], maxzoom: 19, attribution: attribution || host }), name: CUSTOM_PRESET };
}

/**
 * The presets BASEMAP names, in its order (`offline` may stand among them for the map with no
 * basemap). An unknown name stops the start with the names there are.
 */
export function configuredPresets(names: readonly string[], presets: Map<string, Preset>, custom?: Preset): Preset[] {
  const known = new Map(presets);
  if (custom) known.set(CUSTOM_PRESET, custom);
  const out: Preset[] = [];
  for (const name of names) {
    if (name === OFFLINE) continue;
    const p = known.get(name);
    if (!p) throw new Error(`invalid configuration: BASEMAP: unknown basemap "${name}"; choose from ${[OFFLINE, ...known.keys()].join(', ')}`);
    if (!out.includes(p)) out.push(p);
  }
  if (custom && !out.includes(custom)) out.push(custom);
  return out;
}
