import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ArchiveError, type TileArchive } from './archive.js';
import { safeAttribution } from './attribution.js';
import { openMbtiles } from './mbtiles.js';
import { openPmtiles } from './pmtiles.js';
import { basemapLayers, outlineLayers, styleFileSchema, templateFor, type StyleFile, type StyleLayer } from './style.js';

/** A basemap archive on this machine, ready to serve: /basemaps/{name}/{z}/{x}/{y}.{ext}. */
export interface LocalBasemap {
  name: string;
  title: string;
  attribution: string;
  tileSize: 256 | 512;
  archive: TileArchive;
  /** Changes whenever the file does: the first part of every tile's ETag. */
  version: string;
  /** How a vector archive is drawn (sidecar style, template or outlines); none for raster. */
  layers?: StyleLayer[];
}

const OPENERS: Record<string, (path: string) => Promise<TileArchive>> = { '.pmtiles': openPmtiles, '.mbtiles': openMbtiles };
/** More archives than anyone serves from one machine: each holds a file and its directories open. */
export const MAX_ARCHIVES = 32;
const MAX_SIDECAR_BYTES = 2 ** 20;
/** Names become URL segments and the switcher's ids: letters (any script), digits, - and _. */
const NAME = /^[\p{L}\p{N}][\p{L}\p{N}_-]{0,63}$/u;

/** NAME.basemap.json beside an archive: what the archive's metadata does not say well. */
const sidecarSchema = z.object({
  title: z.string().min(1).max(100).optional(),
  attribution: z.string().max(10_000).optional(),
  tileSize: z.union([z.literal(256), z.literal(512)]).optional(),
}).strict();

async function readSidecar(path: string): Promise<unknown | undefined> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return undefined;
  }
  if (info.size > MAX_SIDECAR_BYTES) throw new ArchiveError(`${basename(path)} is larger than ${MAX_SIDECAR_BYTES} bytes`);
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ArchiveError(`${basename(path)} is not JSON (${(err as Error).message})`);
  }
}

function parsed<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ArchiveError(`${file}: ${r.error.issues.map((i) => `${i.path.join('.') || '(file)'} ${i.message}`).join('; ')}`);
  return r.data;
}

/** The .pmtiles and .mbtiles files the entries name: files as they are, folders by their contents. */
async function archiveFiles(entries: readonly string[], refuse: (path: string, reason: string) => void): Promise<string[]> {
  const out: string[] = [];
  for (const entry of entries) {
    const path = resolve(entry);
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch {
      refuse(path, 'it does not exist');
      continue;
    }
    if (!isDir) out.push(path);
    else out.push(...(await readdir(path)).filter((f) => extname(f) in OPENERS).sort().map((f) => join(path, f)));
  }
  return [...new Set(out)];
}

async function openOne(path: string, takenNames: Set<string>, templates: Map<string, StyleFile>): Promise<LocalBasemap> {
  const ext = extname(path);
  const open = OPENERS[ext];
  if (!open) throw new ArchiveError('only .pmtiles and .mbtiles files can be served');
  const name = basename(path, ext);
  if (!NAME.test(name)) throw new ArchiveError('its name must be 1–64 letters, digits, "-" or "_" (it becomes part of the tile addresses); rename the file');
  if (takenNames.has(name)) throw new ArchiveError(`the name "${name}" is already taken by a preset or another archive; rename the file`);
  const file = await stat(path);
  const base = join(path, '..', name);
  const sidecar = parsed(sidecarSchema, (await readSidecar(`${base}.basemap.json`)) ?? {}, `${name}.basemap.json`);
  const styleFile = await readSidecar(`${base}.style.json`);
  const style: StyleFile | undefined = styleFile === undefined ? undefined : parsed(styleFileSchema, styleFile, `${name}.style.json`);

  const archive = await open(path);
  try {
    const { info } = archive;
    let layers: StyleLayer[] | undefined;
    if (info.format === 'mvt') {
      const ids = info.vectorLayers.map((l) => l.id);
      if (!style && ids.length === 0) throw new ArchiveError(`a vector archive whose metadata lists no vector_layers needs a style: add ${name}.style.json`);
      layers = style ? basemapLayers(style) : undefined;
      if (!layers) {
        const template = templateFor(ids, templates);
        layers = template ? basemapLayers(template) : outlineLayers(ids);
      }
    }
    return {
      name,
      title: sidecar.title ?? info.name ?? name,
      attribution: safeAttribution(sidecar.attribution ?? info.attribution ?? ''),
      tileSize: sidecar.tileSize ?? 256,
      archive,
      version: createHash('sha1').update(`${path}|${file.size}|${file.mtimeMs}|${file.ino}`).digest('base64url').slice(0, 12),
      layers,
    };
  } catch (err) {
    await archive.close();
    throw err;
  }
}

/**
 * Opens every archive the entries name (files, or folders whose .pmtiles and .mbtiles are
 * taken), each refused on its own with one log line that names the file and says why, so a
 * broken file never stops the service.
 */
export async function openLocalBasemaps(entries: readonly string[], opts: {
  templates: Map<string, StyleFile>;
  /** Names the archives may not take (the presets'). */
  reserved: readonly string[];
  log: (line: string) => void;
}): Promise<LocalBasemap[]> {
  const refuse = (path: string, reason: string) => opts.log(`basemap file refused 底圖檔無法使用，已略過: ${path}: ${reason}`);
  const taken = new Set(opts.reserved);
  const out: LocalBasemap[] = [];
  for (const path of await archiveFiles(entries, refuse)) {
    if (out.length === MAX_ARCHIVES) {
      refuse(path, `at most ${MAX_ARCHIVES} archives are served`);
      continue;
    }
    try {
      const b = await openOne(path, taken, opts.templates);
      taken.add(b.name);
      out.push(b);
      const { info } = b.archive;
      opts.log(`basemap file: ${b.name} (${extname(path).slice(1)}, ${info.format === 'mvt' ? 'vector' : info.format}, z${info.minzoom}–${info.maxzoom}) from ${path}`);
    } catch (err) {
      refuse(path, err instanceof ArchiveError ? err.message : (err as Error).message);
    }
  }
  return out;
}
