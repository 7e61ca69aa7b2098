import { Router, type Request, type Response } from 'express';
import type { Principal } from '../auth/principal.js';
import { authenticate } from '../auth/middleware.js';
import type { Principals } from '../auth/principals.js';
import type { Db } from '../db/db.js';
import { layerOf } from '../features/routes.js';
import { answerFor, errorBody } from '../http/errors.js';
import type { LayerDef } from '../layers/types.js';
import { ImportAborted } from './aborted.js';
import { readUpload } from './body.js';
import { CRS, crsName, SRIDS } from './crs.js';
import { fileReader } from './file-reader.js';
import { targetsOf } from './headers.js';
import type { ImportLimits } from './limits.js';
import { DEFAULT_PREVIEW, MAX_PREVIEW, parseImportOptions } from './options.js';
import type { ImportReport } from './report.js';
import { requireImport, runImport, type Phase } from './run.js';
import { FILE_FORMATS } from './table.js';
import { DEFAULT_TOLERANCE_M2, MAX_TOLERANCE_M2 } from './units.js';
import { isUnitLayer } from './targets.js';

/**
 * POST /api/import/{layer}: a register file in, a report out (docs: README "Import"). The router
 * reads the body itself, so it sits before the JSON body parser, with its own size limit.
 *
 * Progress: with `Accept: application/x-ndjson` the answer streams one JSON object per line,
 * {"type":"progress","phase","done","total"}, and ends with {"type":"report","status",…} or
 * {"type":"error","status","error"}. The HTTP status is then 200 from the start, so the last
 * line carries the outcome. Progress travels on the request's own connection, so it works
 * behind any load balancer; if the connection closes before the commit, the import rolls back.
 */

const NDJSON = 'application/x-ndjson';

/** The layer, if the principal may import into it: unknown and unreadable layers are 404 alike. */
function importLayer(req: Request): LayerDef {
  const layer = layerOf(req);
  requireImport(layer, req.principal);
  return layer;
}

/** The 200 of a dry run or a commit; 422 when the file was refused and nothing was written. */
const statusOf = (r: ImportReport) => (r.dryRun || r.committed ? 200 : 422);

async function audit(db: Db, p: Principal, action: string, detail: object): Promise<void> {
  await db.query('INSERT INTO audit_log (actor, action, detail) VALUES ($1, $2, $3::jsonb)', [p.username, action, JSON.stringify(detail)]).catch(() => undefined);
}

export function importRoutes(db: Db, principals: Principals, { limitBytes, limits }: { limitBytes: number; limits: ImportLimits }): Router {
  const r = Router();
  const reading = { reader: fileReader(limits), limits };
  r.use('/api/import', authenticate(principals));
  r.use('/api/import', (_req, res, next) => {
    res.set({ 'Cache-Control': 'private, no-cache', Vary: 'Authorization, Cookie' });
    next();
  });

  /** What an upload page needs to offer: formats, systems, and what each column may feed. */
  r.get('/api/import/:layer', (req, res) => {
    const layer = importLayer(req);
    res.json({
      layer: layer.id, title: layer.title, geometry: layer.geometry, maxBytes: limitBytes,
      formats: FILE_FORMATS, encodings: ['utf-8', 'big5'],
      crs: SRIDS.map((s) => ({ crs: crsName(s), name: CRS[s] })),
      targets: targetsOf(layer),
      // Unit layers are checked for gaps and overlaps (tolerance) and may be replaced without a source.
      units: isUnitLayer(layer),
      defaults: { preview: DEFAULT_PREVIEW, maxPreview: MAX_PREVIEW, tolerance: DEFAULT_TOLERANCE_M2, maxTolerance: MAX_TOLERANCE_M2 },
    });
  });

  /** Sources imported into the layer before: their saved mapping and how many features came from each. */
  r.get('/api/import/:layer/sources', async (req, res) => {
    const layer = importLayer(req);
    const { rows } = await db.query(
      `SELECT s.source, s.mapping, s.encoding, s.crs, s.updated_by AS "updatedBy", to_json(s.updated_at) #>> '{}' AS "updatedAt",
              (SELECT count(*)::int FROM feature_sources f WHERE f.layer_table = s.layer_table AND f.source = s.source) AS features
         FROM import_sources s WHERE s.layer_table = $1 ORDER BY s.updated_at DESC`, [layer.table]);
    res.json({ layer: layer.id, sources: rows });
  });

  r.post('/api/import/:layer', async (req: Request, res: Response) => {
    const layer = importLayer(req);
    const upload = await readUpload(req, limitBytes);
    const opts = parseImportOptions({ ...(req.query as Record<string, unknown>), ...upload.fields });
    const filename = opts.filename ?? upload.filename;
    const file = { bytes: upload.bytes, ...(filename ? { filename } : {}) };
    const stopped = new AbortController();
    res.on('close', () => { if (!res.writableFinished) stopped.abort(); });
    const streaming = req.accepts(['application/json', NDJSON]) === NDJSON;
    const line = (o: object) => { if (!res.destroyed) res.write(`${JSON.stringify(o)}\n`); };
    if (streaming) res.status(200).type(NDJSON).set('Cache-Control', 'no-store').flushHeaders();
    const progress = (phase: Phase, done: number, total: number) => { if (streaming) line({ type: 'progress', phase, done, total }); };
    try {
      const report = await runImport(db, layer, req.principal, file, opts, progress, stopped.signal, reading);
      if (!report.dryRun && !report.committed) await audit(db, req.principal, 'import-refused', { layer: layer.id, file: filename ?? null, counts: report.counts });
      if (!streaming) {
        res.status(statusOf(report)).json(report);
        return;
      }
      line({ type: 'report', status: statusOf(report), report });
      res.end();
    } catch (err) {
      if (err instanceof ImportAborted) {
        await audit(db, req.principal, 'import-aborted', { layer: layer.id, file: filename ?? null });
        return;
      }
      if (!streaming) throw err;
      const h = answerFor(err);
      line({ type: 'error', status: h.status, ...errorBody(h) });
      res.end();
    }
  });
  return r;
}
