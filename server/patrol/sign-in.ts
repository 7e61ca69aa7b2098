import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { actAs, type Db } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { tokenNamesPoint } from './qr.js';

/**
 * 電子巡簽: an officer signs in at a patrol point of their own beat, by their phone's position
 * within the allowed distance of the point, or by the point's QR code with a position not far
 * from it. Every rule refuses with the reason and writes nothing (the route logs the refusal).
 */

/**
 * What the phone sends: its position and how sure it is (always: a QR code alone could be a
 * photograph taken anywhere), and the scanned code if any. The moment is the server's: a
 * moment the phone chose could move a sign-in to another shift or around the repeat rule.
 */
export const signInBody = z.object({
  lon: z.number().min(-180).max(180).optional(),
  lat: z.number().min(-90).max(90).optional(),
  accuracy: z.number().gt(0).max(100_000).optional(),
  token: z.string().min(1).max(100).optional(),
}).strict()
  .refine((b) => (b.lon === undefined) === (b.lat === undefined), { path: ['lat'] })
  .refine((b) => b.lon === undefined || b.accuracy !== undefined, { path: ['accuracy'] });
export type SignInBody = z.infer<typeof signInBody>;

/** A position reported less surely than this cannot tell the officer is at the point. */
export const MAX_ACCURACY_M = 100;
/**
 * With the point's code, the position need not be as close or as sure (indoors, a 簽章表 in a
 * building's lobby), but it must not put the officer this far from the point (a photographed code).
 */
export const QR_CONTRADICTED_M = 500;
/** Signing in at the same point again within this many minutes adds nothing. */
export const REPEAT_MINUTES = 10;

export interface SignedIn {
  id: number;
  point: { id: number; name: string };
  method: 'position' | 'qr';
  distanceM: number | null;
  signedAt: string;
}

const metres = (m: number) => Math.round(m);

export async function signIn(db: Db, p: Principal, pointId: number, body: SignInBody, radiusM: number): Promise<SignedIn> {
  if (p.role !== 'officer') throw refusal(403, 'signin_officers_only', undefined);
  const layer = findLayer('patrol-points')!;
  const params: unknown[] = [pointId, body.lon ?? null, body.lat ?? null];
  const readable = readableRows(layer, p, params);
  const { rows: [point] } = await db.query<{ id: number; name: string; beat_code: string | null; beat_name: string | null; distance: number | null; codeVersion: number }>(
    `SELECT t.id::int AS id, t.name, t.beat_code, coalesce(s.name, '') || b.name AS beat_name, t.code_version AS "codeVersion",
            CASE WHEN $2::float8 IS NULL THEN NULL
                 ELSE ST_Distance(t.geom::geography, ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326)::geography) END AS distance
       FROM patrol_points t LEFT JOIN beats b ON b.code = t.beat_code AND b.deleted_at IS NULL
       LEFT JOIN stations s ON s.code = b.station_code AND s.deleted_at IS NULL
      WHERE t.id = $1 AND t.deleted_at IS NULL AND ${readable}`, params);
  if (!point) throw refusal(404, 'signin_point_unknown', { id: pointId });
  if (point.beat_code !== p.beatCode) throw refusal(403, 'signin_other_beat', { point: point.name, beat: point.beat_name ?? '轄區外' });

  // Positions are what the phone reports: checked for distance and sureness, not proven.
  if (point.distance === null) throw refusal(400, 'signin_no_position', undefined);
  let method: SignedIn['method'];
  if (body.token !== undefined) {
    if (!(await tokenNamesPoint(db, body.token, pointId, point.codeVersion))) throw refusal(422, 'signin_token_foreign', { point: point.name }, { field: 'token' });
    // The phone's uncertainty counts in its favour: only a position surely this far off contradicts the code.
    if (point.distance - body.accuracy! >= QR_CONTRADICTED_M) {
      throw refusal(422, 'signin_token_far', { metres: metres(point.distance) }, { field: 'token' });
    }
    method = 'qr';
  } else {
    if (body.accuracy! > MAX_ACCURACY_M) throw refusal(422, 'signin_inaccurate', { metres: metres(body.accuracy!) }, { field: 'accuracy' });
    if (point.distance > radiusM) throw refusal(422, 'signin_too_far', { metres: metres(point.distance), limit: radiusM }, { field: 'lat' });
    method = 'position';
  }

  return db.transaction(async (tx) => {
    await actAs(tx, p.username);
    // Two sign-ins sent at once cannot both pass the repeat check.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`patrol ${pointId} ${p.username}`]);
    const { rows: [earlier] } = await tx.query<{ at: string }>(
      `SELECT to_char(signed_at AT TIME ZONE 'Asia/Taipei', 'HH24:MI') AS at FROM patrol_signins
        WHERE point_id = $1 AND officer = $2 AND deleted_at IS NULL AND signed_at > now() - make_interval(mins => $3)
        ORDER BY signed_at DESC LIMIT 1`, [pointId, p.username, REPEAT_MINUTES]);
    if (earlier) throw refusal(409, 'signin_repeat', { point: point.name, minutes: REPEAT_MINUTES, at: earlier.at });
    const { rows: [row] } = await tx.query<{ id: number; signed_at: string }>(
      `INSERT INTO patrol_signins (point_id, officer, signed_at, method, distance_m, accuracy_m)
       VALUES ($1, $2, now(), $3, $4, $5) RETURNING id::int AS id, to_json(signed_at) #>> '{}' AS signed_at`,
    [pointId, p.username, method, point.distance, body.accuracy ?? null]);
    return { id: row!.id, point: { id: point.id, name: point.name }, method, distanceM: point.distance === null ? null : metres(point.distance), signedAt: row!.signed_at };
  });
}
