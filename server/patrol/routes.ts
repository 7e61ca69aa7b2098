import { Router } from 'express';
import type { Db } from '../db/db.js';
import { HttpError } from '../http/errors.js';
import { message, refusal } from '../http/messages.js';
import { parseId } from '../http/numbers.js';
import { onlyParameters, single } from '../http/parameters.js';
import { readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { actAs } from '../db/db.js';
import { NEW_VERSION, requireWrite, unwritableRows } from '../features/checks.js';
import { pointNamed, pointToken } from './qr.js';
import { signIn, signInBody } from './sign-in.js';

/** Most points one sheet lists: a precinct has hundreds (three a beat); the bureau picks a station. */
const MAX_CODES = 2000;

/**
 * POST /api/patrol-points/{id}/sign-in: 電子巡簽 (sign-in.ts). Each refusal is logged in the audit
 * log with what was sent (a position refused as too far, another point's code), and nothing else
 * is written. GET /api/patrol-points/codes: the points' QR codes, for planners to print; POST
 * /api/patrol-points/{id}/new-code voids a point's printed code.
 */
export function patrolRoutes(db: Db, opts: { radiusM: number }): Router {
  const r = Router();
  r.post('/api/patrol-points/:id/sign-in', async (req, res) => {
    const parsed = signInBody.safeParse(req.body ?? {});
    try {
      const pointId = parseId(String(req.params.id), 'id');
      if (!parsed.success) {
        const field = String(parsed.error.issues[0]!.path[0] ?? 'body');
        throw refusal(400, 'signin_body', { field }, { field });
      }
      const done = await signIn(db, req.principal, pointId, parsed.data, opts.radiusM);
      res.status(201).json({ signIn: done, message: message('signin_done', { point: done.point.name, metres: done.distanceM, qr: done.method === 'qr' }) });
    } catch (err) {
      if (err instanceof HttpError && req.principal.role !== 'public') {
        // What was sent, with the point a scanned code names instead of the code itself.
        const sent = parsed.success ? { ...parsed.data, token: parsed.data.token === undefined ? undefined : { names: pointNamed(parsed.data.token) ?? null } } : null;
        await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'patrol_signin_refused', $2::jsonb)`,
          [req.principal.username, JSON.stringify({ point: String(req.params.id).slice(0, 40), status: err.status, code: err.code, sent })]);
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
    const { rows } = await db.query<{ id: number; name: string; kind: string; beat: string | null; station: string | null; version: number }>(
      `SELECT t.id::int AS id, t.name, t.kind, coalesce(s.name, '') || b.name AS beat, s.name AS station, t.code_version AS version
         FROM patrol_points t LEFT JOIN beats b ON b.code = t.beat_code LEFT JOIN stations s ON s.code = t.station_code
        WHERE t.deleted_at IS NULL AND ${readable} ${station !== undefined ? `AND t.station_code = $${params.length}` : ''}
        ORDER BY t.station_code, t.beat_code, t.name, t.id LIMIT ${MAX_CODES + 1}`, params);
    const shown = rows.slice(0, MAX_CODES);
    const codes = await Promise.all(shown.map(async ({ version, ...row }) => ({ ...row, token: await pointToken(db, row.id, version) })));
    res.set('Cache-Control', 'private, no-store').json({
      codes, ...(rows.length > MAX_CODES ? { truncated: message('patrol_codes_truncated', { max: MAX_CODES }) } : {}),
    });
  });

  // A new code for a point (the printed one may have been copied): those who may edit the point.
  r.post('/api/patrol-points/:id/new-code', async (req, res) => {
    const layer = findLayer('patrol-points')!;
    const id = parseId(String(req.params.id), 'id');
    const rule = requireWrite(layer, req.principal, 'update');
    const token = await db.transaction(async (tx) => {
      await actAs(tx, req.principal.username);
      const params: unknown[] = [id];
      const readable = readableRows(layer, req.principal, params);
      const { rows: [found] } = await tx.query(`SELECT 1 FROM patrol_points t WHERE t.id = $1 AND t.deleted_at IS NULL AND ${readable}`, params);
      if (!found) throw refusal(404, 'feature_unknown', { layer: layer.title, id });
      const refused = (await unwritableRows(tx, layer, req.principal, [id], rule.rows)).get(id);
      if (refused) throw refused;
      const { rows: [row] } = await tx.query<{ version: number }>(
        `UPDATE patrol_points t SET code_version = t.code_version + 1, ${NEW_VERSION} WHERE t.id = $1 RETURNING t.code_version AS version`, [id]);
      return pointToken(tx, id, row!.version);
    });
    res.json({ id, token, message: message('patrol_code_renewed', undefined) });
  });
  return r;
}
