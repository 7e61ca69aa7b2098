import type { HttpError } from '../http/errors.js';
import { refusal } from '../http/messages.js';

/**
 * Vertices of a GeoJSON geometry, counted before anything else looks at it: parsing, validating
 * and storing a shape cost in proportion to its vertices, so a shape with millions of them is
 * refused by its count alone. The walk is iterative (a hostile nesting cannot exhaust the stack)
 * and stops as soon as the count passes `max`.
 */

/** Positions ([x, y, …] arrays of numbers) in `coordinates`, or max + 1 once there are more than max. */
export function countPositions(coordinates: unknown, max: number): number {
  let count = 0;
  const stack: unknown[] = [coordinates];
  const isPosition = (x: unknown) => Array.isArray(x) && typeof x[0] === 'number';
  if (isPosition(coordinates)) return 1;
  while (stack.length > 0) {
    const item = stack.pop();
    if (!Array.isArray(item)) continue;
    for (const child of item) {
      // A ring's positions are counted where they lie, not pushed one by one.
      if (!isPosition(child)) stack.push(child);
      else if (++count > max) return count;
    }
  }
  return count;
}

/** Vertices of a GeoJSON geometry (collections included), or max + 1 once there are more than max. */
export function countVertices(geometry: unknown, max: number): number {
  let count = 0;
  const stack: unknown[] = [geometry];
  while (stack.length > 0) {
    const g = stack.pop();
    if (typeof g !== 'object' || g === null) continue;
    const { coordinates, geometries } = g as { coordinates?: unknown; geometries?: unknown };
    if (Array.isArray(geometries)) for (const member of geometries) stack.push(member);
    count += countPositions(coordinates, max - count);
    if (count > max) return count;
  }
  return count;
}

/** The 413 for a shape with more than `max` vertices (MAX_FEATURE_VERTICES), `row` naming an import's row. */
export function tooManyVertices(max: number, row?: number): HttpError {
  return refusal(413, 'feature_too_many_vertices', { max, ...(row === undefined ? {} : { row }) },
    { field: 'geometry', details: { limit: 'MAX_FEATURE_VERTICES', max } });
}

/** Refuses a shape of more than `max` vertices, before it is parsed, checked or stored. */
export function refuseLargeShape(geometry: unknown, max: number): void {
  if (countVertices(geometry, max) > max) throw tooManyVertices(max);
}
