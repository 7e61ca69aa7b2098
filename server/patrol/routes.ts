import { Router } from 'express';
import type { Db } from '../db/db.js';
import { HttpError } from '../http/errors.js';
import { message, refusal } from '../http/messages.js';
import { parseId } from '../http/numbers.js';
import { onlyParameters, single } from '../http/parameters.js';
import { readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { pointToken } from './qr.js';
import { signIn, signInBody } from './sign-in.js';

/** Most points one sheet lists: a precinct has hundreds (three a beat). */
const MAX_CODES = 2000;

/**
 * POST /api/patrol-points/{id}/sign-in: 電子巡簽 (sign-in.ts). Each refusal is logged in the audit
 * log with what was sent (a spoofed position or a foreign code leaves a trace), and nothing else
 * is written. GET /api/patrol-points/codes: the points' QR codes, for planners to print.
 */
export function patrolRoutes(db: Db, opts: { radiusM: number }): Router {
  const r = Router();
  r.post('/api/patrol-points/:id/sign-in', async (req, res) => {
    const pointId = parseId(String(req.params.id), 'id');
    const parsed = signInBody.safeParse(req.body ?? {});
    try {
      if (!parsed.success) throw refusal(400, 'signin_body', { field: String(parsed.error.issues[0]!.path[0] ?? 'body') }, { field: String(parsed.error.issues[0]!.path[0] ?? 'body') });
      const done = await signIn(db, req.principal, pointId, parsed.data, opts.radiusM);
      res.status(201).json({ signIn: done, message: message('signin_done', { point: done.point.name, metres: done.distanceM, qr: done.method === 'qr' }) });
    } catch (err) {
      if (err instanceof HttpError && req.principal.role !== 'public') {
        const sent = parsed.success ? { ...parsed.data, token: parsed.data.token === undefined ? undefined : 'given' } : null;
        await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'patrol_signin_refused', $2::jsonb)`,
          [req.principal.username, JSON.stringify({ point: pointId, status: err.status, code: err.code, sent })]);
      }
      throw err;
    }
  });

  r.get('/api/patrol-points/codes', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    onlyParameters(query, ['station']);
    const p = req.principal;
    if (p.role !== 'planner' && p.role !== 'admin') throw refusal(403, 'patrol_codes_planners_only', undefined);
    const params: unknown[] = [];
    const readable = readableRows(findLayer('patrol-points')!, p, params);
    const station = query.station === undefined ? undefined : single(query.station, 'station');
    if (station !== undefined) params.push(station);
    const { rows } = await db.query<{ id: number; name: string; kind: string; beat: string | null; station: string | null }>(
      `SELECT t.id::int AS id, t.name, t.kind, coalesce(s.name, '') || b.name AS beat, s.name AS station
         FROM patrol_points t LEFT JOIN beats b ON b.code = t.beat_code LEFT JOIN stations s ON s.code = t.station_code
        WHERE t.deleted_at IS NULL AND ${readable} ${station !== undefined ? `AND t.station_code = $${params.length}` : ''}
        ORDER BY t.station_code, t.beat_code, t.name, t.id LIMIT ${MAX_CODES}`, params);
    const codes = await Promise.all(rows.map(async (row) => ({ ...row, token: await pointToken(db, row.id) })));
    res.set('Cache-Control', 'private, no-store').json({ codes });
  });
  return r;
}
