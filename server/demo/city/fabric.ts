import * as turf from '@turf/turf';
import type { Position } from 'geojson';
import type { Area, Ground, GroundBlock, LonLat } from '../ground.js';
import type { Random } from './random.js';

/**
 * Where the demo's synthetic records are placed: on the real block fabric of the ground. Each
 * basic statistical area holds about as many households as the next, so drawing areas uniformly
 * and points uniformly inside them puts more records where more people live (small urban blocks)
 * and few in the hills. Block edges stand for streets.
 */

// Distances in a local equirectangular frame in metres around 桃園, within 1% across the city.
export type XY = [x: number, y: number];
const ORIGIN: LonLat = [121.25, 24.9];
const M_PER_DEG_LAT = 110_766;
const M_PER_DEG_LON = 111_320 * Math.cos((ORIGIN[1] * Math.PI) / 180);
export const toXY = ([lon, lat]: LonLat): XY => [(lon - ORIGIN[0]) * M_PER_DEG_LON, (lat - ORIGIN[1]) * M_PER_DEG_LAT];
export const toLonLat = ([x, y]: XY): LonLat => [ORIGIN[0] + x / M_PER_DEG_LON, ORIGIN[1] + y / M_PER_DEG_LAT];
export const offsetM = (p: LonLat, dx: number, dy: number): LonLat => { const [x, y] = toXY(p); return toLonLat([x + dx, y + dy]); };
export const distanceM = (a: LonLat, b: LonLat): number => { const [ax, ay] = toXY(a); const [bx, by] = toXY(b); return Math.hypot(ax - bx, ay - by); };
export const centreOf = (points: readonly XY[]): XY => [
  points.reduce((s, p) => s + p[0], 0) / points.length, points.reduce((s, p) => s + p[1], 0) / points.length,
];

const round7 = (v: number): number => Math.round(v * 1e7) / 1e7;
export const roundPoint = ([lon, lat]: LonLat): LonLat => [round7(lon), round7(lat)];
export const inside = (area: Area, p: LonLat): boolean => turf.booleanPointInPolygon(p, area);

/** A spot on a street: where, and the compass bearing of the street there (0° = north). */
export interface StreetSpot { at: LonLat; bearing: number; block: GroundBlock }

/** Blocks larger than this are countryside: fields, hills, industrial land. */
const RURAL_M2 = 150_000;
const CELL_DEG = 0.01;
/** How far inside its block a street spot stands. */
const SIDE_M = 1.5;

export class Fabric {
  readonly ground: Ground;
  private readonly cells = new Map<string, number[]>();
  private readonly boxes: [number, number, number, number][];
  private readonly areas: number[];
  readonly urban: GroundBlock[];
  readonly rural: GroundBlock[];
  private readonly villages: Map<string, { name: string; townName: string }>;

  constructor(ground: Ground) {
    this.ground = ground;
    this.boxes = ground.blocks.map((b) => turf.bbox(b.geometry) as [number, number, number, number]);
    this.areas = ground.blocks.map((b) => turf.area(b.geometry));
    this.boxes.forEach(([w, s, e, n], i) => {
      for (let x = Math.floor(w / CELL_DEG); x <= Math.floor(e / CELL_DEG); x++) {
        for (let y = Math.floor(s / CELL_DEG); y <= Math.floor(n / CELL_DEG); y++) {
          const key = `${x},${y}`;
          (this.cells.get(key) ?? this.cells.set(key, []).get(key)!).push(i);
        }
      }
    });
    this.urban = ground.blocks.filter((b) => this.areas[b.index]! < RURAL_M2);
    this.rural = ground.blocks.filter((b) => this.areas[b.index]! >= RURAL_M2);
    this.villages = new Map(ground.villages.map((v) => [v.code, { name: v.name, townName: v.townName }]));
  }

  areaM2(block: GroundBlock): number {
    return this.areas[block.index]!;
  }

  /** The block a point lies in (the lowest index on a shared edge), or undefined off the city. */
  blockAt(p: LonLat): GroundBlock | undefined {
    const candidates = this.cells.get(`${Math.floor(p[0] / CELL_DEG)},${Math.floor(p[1] / CELL_DEG)}`) ?? [];
    for (const i of candidates) {
      const [w, s, e, n] = this.boxes[i]!;
      if (p[0] >= w && p[0] <= e && p[1] >= s && p[1] <= n && inside(this.ground.blocks[i]!.geometry, p)) return this.ground.blocks[i];
    }
    return undefined;
  }

  village(block: GroundBlock): { name: string; townName: string } {
    return this.villages.get(block.villageCode)!;
  }

  /** A uniformly drawn point inside a block. */
  pointIn(rng: Random, block: GroundBlock): LonLat {
    const [w, s, e, n] = this.boxes[block.index]!;
    for (;;) {
      const p: LonLat = [rng.uniform(w, e), rng.uniform(s, n)];
      if (inside(block.geometry, p)) return p;
    }
  }

  /** A point drawn where people live: a block drawn uniformly, then a point inside it. */
  populatedPoint(rng: Random, blocks: readonly GroundBlock[] = this.ground.blocks): { at: LonLat; block: GroundBlock } {
    const block = rng.pick(blocks);
    return { at: this.pointIn(rng, block), block };
  }

  /** A point from a 2-D Gaussian around a centre, kept on the city's blocks. */
  gaussianPoint(rng: Random, centre: LonLat, sigmaM: number): { at: LonLat; block: GroundBlock } {
    for (;;) {
      const at = offsetM(centre, rng.normal(0, sigmaM), rng.normal(0, sigmaM));
      const block = this.blockAt(at);
      if (block) return { at, block };
    }
  }

  /**
   * A spot on a street: a point along an edge of a drawn block (edges in proportion to their
   * length, the ends left out), with the edge's bearing. Cameras stand there looking along it.
   */
  streetSpot(rng: Random, blocks: readonly GroundBlock[] = this.urban): StreetSpot {
    for (;;) {
      const block = rng.pick(blocks);
      const ring = outerRings(block.geometry)[0]!;
      const edges = ring.slice(1).map((p, k) => [k, distanceM(ring[k] as LonLat, p as LonLat)] as const).filter(([, len]) => len >= 15);
      if (edges.length === 0) continue;
      const k = rng.weighted(edges);
      const a = toXY(ring[k] as LonLat);
      const b = toXY(ring[k + 1] as LonLat);
      const t = rng.uniform(0.15, 0.85);
      const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
      const length = Math.hypot(dx, dy);
      // On the kerb: SIDE_M inside the block, so the spot lies in one block and one beat.
      const [nx, ny] = [(-dy / length) * SIDE_M, (dx / length) * SIDE_M];
      const on: XY = [a[0] + t * dx, a[1] + t * dy];
      const at = [toLonLat([on[0] + nx, on[1] + ny]), toLonLat([on[0] - nx, on[1] - ny])].find((p) => inside(block.geometry, p));
      if (!at) continue;
      const bearing = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
      return { at, bearing, block };
    }
  }
}

const outerRings = (area: Area): Position[][] => (area.type === 'Polygon' ? [area.coordinates[0]!] : area.coordinates.map((p) => p[0]!));

/** A polygon with `corners` vertices around a centre, radius jittered so it looks hand-drawn. */
export function irregularPolygon(rng: Random, centre: LonLat, radiusM: number, corners: number): { type: 'Polygon'; coordinates: Position[][] } {
  const turn = rng.uniform(0, 2 * Math.PI);
  const ring: Position[] = [];
  for (let i = 0; i < corners; i++) {
    const angle = turn + (2 * Math.PI * i) / corners;
    const r = radiusM * rng.uniform(0.85, 1.15);
    ring.push(roundPoint(offsetM(centre, r * Math.cos(angle), r * Math.sin(angle))));
  }
  ring.push(ring[0]!);
  return { type: 'Polygon', coordinates: [ring] };
}
