import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import { purposeKey } from '../db/installation-key.js';

/**
 * The QR code printed on a patrol point: `<point id>.<mac>`, the mac an HMAC of the point's id
 * under this installation's patrol key. Only this installation can make one, a point's code
 * names that point alone, and printing it again gives the same code.
 */
const MAC_CHARS = 22;
const TOKEN = /^(\d{1,15})\.([A-Za-z0-9_-]{22})$/;

const macOf = (key: Buffer, pointId: number) => createHmac('sha256', key).update(`point:${pointId}`).digest('base64url').slice(0, MAC_CHARS);

export async function pointToken(db: Queryable, pointId: number): Promise<string> {
  return `${pointId}.${macOf(await purposeKey(db, 'patrol-qr'), pointId)}`;
}

/** Whether a scanned code is this installation's code for this point (and not another's). */
export async function tokenNamesPoint(db: Queryable, token: string, pointId: number): Promise<boolean> {
  const m = TOKEN.exec(token);
  if (!m || Number(m[1]) !== pointId) return false;
  const expected = Buffer.from(macOf(await purposeKey(db, 'patrol-qr'), pointId));
  const given = Buffer.from(m[2]!);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
