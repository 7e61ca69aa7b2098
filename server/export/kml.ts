import type { Principal } from '../auth/principal.js';
import { readableProperties } from '../layers/access.js';
import type { LayerDef } from '../layers/types.js';
import type { ExportRow } from './pages.js';

/**
 * Features as KML 2.2 for Google Earth and My Maps: a Placemark each, named by the layer's
 * label, every readable property in ExtendedData (the stored value, with the Chinese label as
 * its displayName), and the feature id with this installation's id (`instance`), so an edited file
 * imports back onto the same features here, and adds them anywhere else.
 */
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

type Ring = [number, number][];
const coords = (ring: Ring) => ring.map(([x, y]) => `${x},${y}`).join(' ');
const polygon = (rings: Ring[]) => `<Polygon><outerBoundaryIs><LinearRing><coordinates>${coords(rings[0]!)}</coordinates></LinearRing></outerBoundaryIs>${
  rings.slice(1).map((r) => `<innerBoundaryIs><LinearRing><coordinates>${coords(r)}</coordinates></LinearRing></innerBoundaryIs>`).join('')}</Polygon>`;

function geometry(g: { type: string; coordinates: unknown } | null): string {
  if (!g) return '';
  if (g.type === 'Point') return `<Point><coordinates>${(g.coordinates as number[]).join(',')}</coordinates></Point>`;
  const polygons = g.type === 'Polygon' ? [g.coordinates as Ring[]] : (g.coordinates as Ring[][]);
  return polygons.length === 1 ? polygon(polygons[0]!) : `<MultiGeometry>${polygons.map(polygon).join('')}</MultiGeometry>`;
}

export function kmlWriter(layer: LayerDef, p: Principal, instance: string): { head: string; rows: (page: ExportRow[]) => string; tail: string } {
  const props = readableProperties(layer, p);
  const value = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return {
    head: `<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>${xml(layer.title)}</name>\n`,
    rows: (page) => page.map(({ feature: f }) => `<Placemark id="${layer.id}.${f.id}"><name>${xml(value(f.properties[layer.label]))}</name><ExtendedData>` +
      `<Data name="id"><value>${f.id}</value></Data><Data name="instance"><value>${instance}</value></Data>` +
      props.map((x) => `<Data name="${x.name}"><displayName>${xml(x.label)}</displayName><value>${xml(value(f.properties[x.name]))}</value></Data>`).join('') +
      `</ExtendedData>${geometry(f.geometry as { type: string; coordinates: unknown } | null)}</Placemark>\n`).join(''),
    tail: '</Document></kml>\n',
  };
}
