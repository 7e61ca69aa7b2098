import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import type request from 'supertest';

export interface DecodedFeature {
  id: number | undefined;
  type: number;
  properties: Record<string, unknown>;
  /** Rings or point lists in tile coordinates. */
  geometry: { x: number; y: number }[][];
}

/** Decodes an MVT (gzipped or not) into plain layers → features. */
export function decodeTile(body: Buffer | Uint8Array): Record<string, DecodedFeature[]> {
  const bytes = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
  const tile = new VectorTile(new PbfReader(bytes));
  const out: Record<string, DecodedFeature[]> = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    out[name] = Array.from({ length: layer.length }, (_, i) => {
      const f = layer.feature(i);
      return { id: f.id, type: f.type, properties: { ...f.properties }, geometry: f.loadGeometry().map((r) => r.map((p) => ({ x: p.x, y: p.y }))) };
    });
  }
  return out;
}

/** Twice the signed area of a ring in tile coordinates (positive: exterior ring in MVT). */
export function ringArea(ring: readonly { x: number; y: number }[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]!.x - ring[i]!.x) * (ring[j]!.y + ring[i]!.y);
  return sum;
}

/** supertest parser that keeps a binary body as a Buffer. */
export function binary(res: request.Response, done: (err: Error | null, body: unknown) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
