import type { Feature, MultiPolygon, Polygon, Position } from 'geojson';

/**
 * The basic statistical areas are published one topology per 區, each quantized on its own grid,
 * so the two sides of a 區 border have the same vertices only to within about half a metre and
 * share no arcs. Moving every vertex onto a vertex of an earlier 區 lying within SNAP_M makes the
 * borders identical again, so that the merged topology shares them: beats, stations and
 * precincts then join across 區 without slivers.
 */
const SNAP_M = 0.6;
const M_PER_DEG_LAT = 110_800;
const M_PER_DEG_LON = 101_000; // at 25°N
const CELL_DEG = 2e-5;

export function joinSeams<G extends Polygon | MultiPolygon>(features: readonly Feature<G>[], groupOf: (f: Feature<G>) => string): Feature<G>[] {
  const canonical = new Map<string, { group: string; p: Position }[]>();
  const cellKey = (x: number, y: number) => `${Math.floor(x / CELL_DEG)},${Math.floor(y / CELL_DEG)}`;
  const snapped = new Map<string, Position>();

  const snap = (group: string, p: Position): Position => {
    const key = `${group}|${p[0]},${p[1]}`;
    const known = snapped.get(key);
    if (known) return known;
    const cx = Math.floor(p[0]! / CELL_DEG);
    const cy = Math.floor(p[1]! / CELL_DEG);
    let best: Position | null = null;
    let bestD = SNAP_M;
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const c of canonical.get(`${cx + dx},${cy + dy}`) ?? []) {
          if (c.group === group) continue;
          const d = Math.hypot((c.p[0]! - p[0]!) * M_PER_DEG_LON, (c.p[1]! - p[1]!) * M_PER_DEG_LAT);
          if (d < bestD) { bestD = d; best = c.p; }
        }
      }
    }
    const out = best ?? p;
    if (!best) {
      const k = cellKey(p[0]!, p[1]!);
      (canonical.get(k) ?? canonical.set(k, []).get(k)!).push({ group, p });
    }
    snapped.set(key, out);
    return out;
  };

  const ring = (group: string, r: Position[]): Position[] => {
    const out: Position[] = [];
    for (const p of r) {
      const q = snap(group, p);
      const last = out[out.length - 1];
      if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
    }
    return out;
  };

  return features.map((f) => {
    const group = groupOf(f);
    const g = f.geometry;
    const geometry = g.type === 'Polygon'
      ? { type: 'Polygon', coordinates: g.coordinates.map((r) => ring(group, r)) }
      : { type: 'MultiPolygon', coordinates: g.coordinates.map((poly) => poly.map((r) => ring(group, r))) };
    return { ...f, geometry } as Feature<G>;
  });
}
