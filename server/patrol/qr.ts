import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import { purposeKey } from '../db/installation-key.js';

/**
 * The QR code printed on a patrol point: `<point id>.<mac>`, the mac an HMAC of the point's id
 * and code version under this installation's patrol key. Only this installation can make one,
 * a point's code names that point alone, printing it again gives the same code, and a planner
 * who fears a code was copied gives the point a new version: the old sticker no longer works.
 */
const MAC_CHARS = 22;
const TOKEN = /^(\d{1,15})\.([A-Za-z0-9_-]{22})$/;

const macOf = (key: Buffer, pointId: number, version: number) =>
  createHmac('sha256', key).update(`point:${pointId}:${version}`).digest('base64url').slice(0, MAC_CHARS);

export async function pointToken(db: Queryable, pointId: number, version: number): Promise<string> {
  return `${pointId}.${macOf(await purposeKey(db, 'patrol-qr'), pointId, version)}`;
}

/** The point a code names (its id), whether or not the code is genuine; undefined for anything else. */
export const pointNamed = (token: string): number | undefined => {
  const m = TOKEN.exec(token);
  return m ? Number(m[1]) : undefined;
};

/** Whether a scanned code is this installation's current code for this point (and not another's). */
export async function tokenNamesPoint(db: Queryable, token: string, pointId: number, version: number): Promise<boolean> {
  const m = TOKEN.exec(token);
  if (!m || Number(m[1]) !== pointId) return false;
  const expected = Buffer.from(macOf(await purposeKey(db, 'patrol-qr'), pointId, version));
  const given = Buffer.from(m[2]!);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
