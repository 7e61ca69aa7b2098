import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { unionBbox, visibleExtent, type Bbox } from '../layers/extent.js';
import { TAIWAN_BOUNDS } from '../geo/taiwan.js';
import type { LayerDef } from '../layers/types.js';
import { zoomRange } from './coords.js';
import { partName, tileParts, tileProperties } from './sql.js';

const fieldType = (kind: string) => (['integer', 'number', 'reference'].includes(kind) ? 'Number' : kind === 'boolean' ? 'Boolean' : 'String');

/** The open data licence the reference layers' sources publish under. */
const OPEN_DATA_LICENCE = '政府資料開放授權條款第1版';

/** Credit for the layers' sources, as a map shows it. */
function attributionOf(layers: readonly LayerDef[]): string | undefined {
  const sources = [...new Set(layers.flatMap((l) => (l.attribution ? [l.attribution] : [])))];
  return sources.length ? `${sources.join('、')}（${OPEN_DATA_LICENCE}）` : undefined;
}

/**
 * The fields a clustered layer's tiles add below its cluster zoom (server/tiles/clusters.ts):
 * the count, the count per value of the property counted by, the commonest value, the zoom at
 * which a cluster splits.
 */
function clusterFields(l: LayerDef): Record<string, string> {
  const cluster = l.tiles!.cluster;
  if (!cluster) return {};
  const counted = l.properties.find((x) => x.name === cluster.countBy)?.type;
  const values = counted?.kind === 'enum' ? counted.choices.map((c) => c.value) : [];
  return {
    point_count: 'Number', expansion_zoom: 'Number', [cluster.countBy]: 'String',
    ...Object.fromEntries(values.map((v) => [`${cluster.countBy}_${v}`, 'Number'])),
  };
}

/** How long a TileJSON's bounds are reused: a hint for clients, not worth a scan of every layer on each map load. */
const BOUNDS_TTL_MS = 60_000;
const MAX_REMEMBERED = 1000;
const remembered = new Map<string, { until: number; bounds: Bbox | null }>();

/** The box around the rows of the layers the principal may read, measured at most once a minute per layers and reader. */
async function boundsOf(db: Queryable, layers: readonly LayerDef[], p: Principal): Promise<Bbox | null> {
  const key = [layers.map((l) => l.id).join(','), p.role, p.precinctCode ?? '', p.userId ?? ''].join('|');
  const hit = remembered.get(key);
  if (hit && hit.until > Date.now()) return hit.bounds;
  const bounds = unionBbox(await Promise.all(layers.map(async (l) => (await visibleExtent(db, l, p)).bbox)));
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(key, { until: Date.now() + BOUNDS_TTL_MS, bounds });
  return bounds;
}

/**
 * TileJSON 3.0.0 for one layer or a composite, with the fields the caller's tiles carry and, as
 * `bounds`, the box around the rows the caller may see (Taiwan when there are none; up to a
 * minute old).
 */
export async function tileJson(db: Queryable, layers: readonly LayerDef[], p: Principal, baseUrl: string) {
  const ids = layers.map((l) => l.id).join(',');
  const attribution = attributionOf(layers);
  const bounds = await boundsOf(db, layers, p);
  return {
    tilejson: '3.0.0',
    name: layers.map((l) => l.title).join('、'),
    ...(attribution ? { attribution } : {}),
    tiles: [`${baseUrl}/tiles/${ids}/{z}/{x}/{y}.mvt`],
    bounds: bounds ?? TAIWAN_BOUNDS,
    ...zoomRange(layers),
    vector_layers: layers.flatMap((l) => tileParts(l).map((part) => ({
      id: partName(l, part),
      description: part === 'labels' ? `${l.title}（標籤點）` : l.title,
      minzoom: l.tiles!.minzoom,
      maxzoom: l.tiles!.maxzoom,
      fields: {
        ...Object.fromEntries(tileProperties(l, p).map((prop) => [prop.name, fieldType(prop.type.kind)])),
        ...(part === 'labels' ? {} : clusterFields(l)),
      },
      ...(l.tiles!.cluster ? { cluster_below_zoom: l.tiles!.cluster.belowZoom } : {}),
    }))),
  };
}
