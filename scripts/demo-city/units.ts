import * as turf from '@turf/turf';
import type { Polygon, Position } from 'geojson';
import type { Random } from './random.js';
import { BEAT_SPACING_M, BUREAU_CODE, CITY_CENTRE, MIN_BEATS, PRECINCT_NAMES, STATIONS_PER_CITY, STATION_ANCHORS, type XY, distanceM, inside, intersectAreas, polygonsOf, tidyPolygon, toLonLat, toXY, unionAreas } from './geography.js';
import type { DemoBeat, DemoPrecinct, DemoStation, LonLat } from './model.js';
import { addressAt, landline, personName } from './people.js';

// Police units: beats are Voronoi cells clipped to the city; stations and precincts grow over
// the adjacency of beats so each is one contiguous piece.

export interface UnitPlan {
  precincts: DemoPrecinct[];
  stations: DemoStation[];
  beats: DemoBeat[];
}

function beatSeedPoints(rng: Random, outline: Polygon): LonLat[] {
  const [w, s, e, n] = turf.bbox(outline);
  const [x0, y0] = toXY([w, s]);
  const [x1, y1] = toXY([e, n]);
  const points: LonLat[] = [];
  for (let y = y0 + BEAT_SPACING_M / 2; y < y1; y += BEAT_SPACING_M) {
    for (let x = x0 + BEAT_SPACING_M / 2; x < x1; x += BEAT_SPACING_M) {
      const jitter = 0.35 * BEAT_SPACING_M;
      const p = toLonLat([x + rng.uniform(-jitter, jitter), y + rng.uniform(-jitter, jitter)]);
      if (inside(outline, p)) points.push(p);
    }
  }
  return points;
}

const vertexKey = (p: Position): string => `${p[0]},${p[1]}`;

/** Undirected edges of a polygon's rings with their lengths in metres, keyed by end points. */
function edgesOf(polygon: Polygon): Map<string, number> {
  const edges = new Map<string, number>();
  for (const ring of polygon.coordinates) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = vertexKey(ring[i]!);
      const b = vertexKey(ring[i + 1]!);
      edges.set(a < b ? `${a}|${b}` : `${b}|${a}`, distanceM(ring[i] as LonLat, ring[i + 1] as LonLat));
    }
  }
  return edges;
}

/** For each polygon, the others it shares an edge with, and the length shared in metres. */
function sharedBorders(polygons: readonly Polygon[]): Map<number, number>[] {
  const owners = new Map<string, { polygon: number; length: number }[]>();
  polygons.forEach((polygon, i) => {
    for (const [edge, length] of edgesOf(polygon)) {
      const list = owners.get(edge) ?? [];
      list.push({ polygon: i, length });
      owners.set(edge, list);
    }
  });
  const borders = polygons.map(() => new Map<number, number>());
  for (const list of owners.values()) {
    for (const a of list) {
      for (const b of list) {
        if (a.polygon !== b.polygon) borders[a.polygon]!.set(b.polygon, (borders[a.polygon]!.get(b.polygon) ?? 0) + a.length);
      }
    }
  }
  return borders;
}

/**
 * Voronoi cells clipped to the city. Where the concave outline cuts a cell in two, the cut-off
 * piece joins the neighbour it shares the longest border with, so every beat is one polygon.
 */
function beatPolygons(rng: Random, outline: Polygon): Polygon[] {
  const seeds = beatSeedPoints(rng, outline);
  const [w, s, e, n] = turf.bbox(outline);
  const cells = turf.voronoi(turf.featureCollection(seeds.map((p) => turf.point(p))), {
    bbox: [w - 0.01, s - 0.01, e + 0.01, n + 0.01],
  });
  const mains: Polygon[] = [];
  const pieces: Polygon[] = [];
  cells.features.forEach((cell, i) => {
    const clipped = intersectAreas(cell.geometry, outline);
    if (!clipped) throw new Error(`beat seed ${i} lies outside the city outline`);
    const parts = polygonsOf(clipped).map(tidyPolygon);
    const seed = seeds[i]!;
    const main = parts.find((part) => inside(part, seed)) ?? parts[0]!;
    mains.push(main);
    pieces.push(...parts.filter((part) => part !== main));
  });
  for (let waiting = 0; pieces.length > 0; ) {
    const piece = pieces.shift()!;
    const borders = sharedBorders([piece, ...mains])[0]!;
    const best = [...borders].sort((a, b) => b[1] - a[1])[0];
    if (!best) {
      // Only touches other cut-off pieces so far: try again once they have joined a beat.
      if (++waiting > pieces.length) throw new Error('a cut-off beat piece shares no border with any beat');
      pieces.push(piece);
      continue;
    }
    waiting = 0;
    const merged = unionAreas([mains[best[0] - 1]!, piece]);
    if (merged?.type !== 'Polygon') throw new Error('a cut-off beat piece did not join its neighbour cleanly');
    mains[best[0] - 1] = tidyPolygon(merged.coordinates);
  }
  return mains;
}

/** Indices of the items nearest to k-means centres: well-spread seeds for growing regions. */
function kMeansSeeds(rng: Random, points: readonly XY[], k: number): number[] {
  const dist2 = (a: XY, b: XY): number => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2;
  // k-means++ initialisation: each next centre far from the ones chosen.
  const centres: XY[] = [rng.pick(points)];
  while (centres.length < k) {
    const weights = points.map((p, i) => [i, Math.min(...centres.map((c) => dist2(p, c)))] as const);
    centres.push(points[rng.weighted(weights)]!);
  }
  for (let iteration = 0; iteration < 20; iteration++) {
    const sums = centres.map(() => ({ x: 0, y: 0, n: 0 }));
    for (const p of points) {
      const nearest = centres.reduce((best, c, j) => (dist2(p, c) < dist2(p, centres[best]!) ? j : best), 0);
      const sum = sums[nearest]!;
      sum.x += p[0];
      sum.y += p[1];
      sum.n += 1;
    }
    sums.forEach((sum, j) => {
      if (sum.n > 0) centres[j] = [sum.x / sum.n, sum.y / sum.n];
    });
  }
  const taken = new Set<number>();
  return centres.map((c) => {
    let best = -1;
    points.forEach((p, i) => {
      if (!taken.has(i) && (best < 0 || dist2(p, c) < dist2(points[best]!, c))) best = i;
    });
    taken.add(best);
    return best;
  });
}

/**
 * Assigns every item to a region by growing regions from their seed items over the adjacency
 * graph, nearest item first. Each region stays contiguous because it only grows into neighbours.
 */
function growRegions(centres: readonly XY[], neighbours: readonly Map<number, number>[], seeds: readonly number[]): number[] {
  const region = centres.map(() => -1);
  seeds.forEach((item, r) => (region[item] = r));
  for (let unassigned = centres.length - seeds.length; unassigned > 0; unassigned--) {
    let best = { item: -1, region: -1, distance: Infinity };
    for (let item = 0; item < centres.length; item++) {
      if (region[item] !== -1) continue;
      const [x, y] = centres[item]!;
      for (const next of neighbours[item]!.keys()) {
        const r = region[next]!;
        if (r === -1) continue;
        const [sx, sy] = centres[seeds[r]!]!;
        const distance = Math.hypot(x - sx, y - sy);
        if (distance < best.distance) best = { item, region: r, distance };
      }
    }
    if (best.item < 0) throw new Error('the units do not form one connected area');
    region[best.item] = best.region;
  }
  return region;
}

export const centreOf = (points: readonly XY[]): XY => [
  points.reduce((s, p) => s + p[0], 0) / points.length,
  points.reduce((s, p) => s + p[1], 0) / points.length,
];

/** Region numbers renumbered so that the region holding `first` comes first, then by distance from it. */
function orderRegions(regionOf: readonly number[], centres: readonly XY[], first: number): number[] {
  const count = Math.max(...regionOf) + 1;
  const origin = centres[first]!;
  const regionCentres = Array.from({ length: count }, (_, r) =>
    centreOf(centres.filter((_, i) => regionOf[i] === r)));
  const order = Array.from({ length: count }, (_, r) => r).sort((a, b) => {
    if (a === regionOf[first]) return -1;
    if (b === regionOf[first]) return 1;
    const [ca, cb] = [regionCentres[a]!, regionCentres[b]!];
    return Math.hypot(ca[0] - origin[0], ca[1] - origin[1]) - Math.hypot(cb[0] - origin[0], cb[1] - origin[1]);
  });
  const rank = new Map(order.map((r, i) => [r, i]));
  return regionOf.map((r) => rank.get(r)!);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function planUnits(rng: Random, outline: Polygon): UnitPlan {
  const polygons = beatPolygons(rng, outline);
  if (polygons.length < MIN_BEATS) throw new Error(`only ${polygons.length} beats; expected at least ${MIN_BEATS}`);
  const beatCentres = polygons.map((p) => toXY(turf.centroid(p).geometry.coordinates as LonLat));
  const beatBorders = sharedBorders(polygons);
  const centreBeat = polygons.findIndex((p) => inside(p, CITY_CENTRE));

  // Stations: 16 regions of beats; then precincts: 4 regions of stations.
  const stationOfBeat = orderRegions(
    growRegions(beatCentres, beatBorders, kMeansSeeds(rng, beatCentres, STATIONS_PER_CITY)), beatCentres, centreBeat);
  const stationCentres = Array.from({ length: STATIONS_PER_CITY }, (_, s) =>
    centreOf(beatCentres.filter((_, b) => stationOfBeat[b] === s)));
  const stationBorders = stationCentres.map(() => new Map<number, number>());
  beatBorders.forEach((borders, b) => {
    for (const [other, length] of borders) {
      const [s, t] = [stationOfBeat[b]!, stationOfBeat[other]!];
      if (s !== t) stationBorders[s]!.set(t, (stationBorders[s]!.get(t) ?? 0) + length);
    }
  });
  const precinctOfStation = orderRegions(
    growRegions(stationCentres, stationBorders, kMeansSeeds(rng, stationCentres, PRECINCT_NAMES.length)),
    stationCentres, 0);

  // Codes: stations numbered within their precinct in order of distance from the city centre
  // (so P01S01 is the station around 府前路), beats within their station north to south.
  const stationCodes: string[] = [];
  const stationOrder = Array.from({ length: STATIONS_PER_CITY }, (_, s) => s)
    .sort((a, b) => precinctOfStation[a]! - precinctOfStation[b]! || a - b);
  const perPrecinct = new Map<number, number>();
  for (const s of stationOrder) {
    const p = precinctOfStation[s]!;
    perPrecinct.set(p, (perPrecinct.get(p) ?? 0) + 1);
    stationCodes[s] = `P${pad2(p + 1)}S${pad2(perPrecinct.get(p)!)}`;
  }
  const stationNames = nameStations(stationOrder.map((s) => toLonLat(stationCentres[s]!)));

  const precincts = PRECINCT_NAMES.map((name, p): DemoPrecinct => {
    const at = toLonLat(centreOf(stationCentres.filter((_, s) => precinctOfStation[s] === p)));
    return { code: `P${pad2(p + 1)}`, name, bureau_code: BUREAU_CODE, phone: landline(rng), address: addressAt(rng, at).full };
  });
  const stations = stationOrder.map((s, i): DemoStation => ({
    code: stationCodes[s]!,
    name: stationNames[i]!,
    precinct_code: `P${pad2(precinctOfStation[s]! + 1)}`,
    phone: landline(rng),
    address: addressAt(rng, toLonLat(stationCentres[s]!)).full,
  }));

  const beats: DemoBeat[] = [];
  for (const s of stationOrder) {
    const members = polygons.map((_, b) => b).filter((b) => stationOfBeat[b] === s)
      .sort((a, b) => beatCentres[b]![1] - beatCentres[a]![1] || beatCentres[a]![0] - beatCentres[b]![0]);
    members.forEach((b, i) => beats.push({
      code: `${stationCodes[s]}B${pad2(i + 1)}`,
      name: `第${i + 1}警勤區`,
      station_code: stationCodes[s]!,
      officer_name: personName(rng),
      geometry: polygons[b]!,
    }));
  }
  return { precincts, stations, beats };
}

/** The first station (around 府前路) is 府前派出所; the others take the nearest free neighbourhood name. */
function nameStations(centres: readonly LonLat[]): string[] {
  const names: string[] = [STATION_ANCHORS[0]!.name];
  const free = new Set(STATION_ANCHORS.slice(1).map((a) => a.name));
  const pairs = centres.slice(1).flatMap((c, i) =>
    STATION_ANCHORS.slice(1).map((a) => ({ station: i + 1, name: a.name, distance: distanceM(c, a.at) })))
    .sort((a, b) => a.distance - b.distance);
  for (const { station, name } of pairs) {
    if (names[station] === undefined && free.has(name)) {
      names[station] = name;
      free.delete(name);
    }
  }
  return names;
}

/** Finds the beat a point lies in (the lowest code on a shared border, as the database does). */
export function beatLocator(beats: readonly DemoBeat[]): (p: LonLat) => DemoBeat | undefined {
  const boxes = beats.map((b) => turf.bbox(b.geometry));
  return (p) => beats.find((b, i) => {
    const [w, s, e, n] = boxes[i]!;
    return p[0] >= w && p[0] <= e && p[1] >= s && p[1] <= n && inside(b.geometry, p);
  });
}
