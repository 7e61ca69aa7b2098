import { Router } from 'express';
import type { Db } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { parseInteger } from '../http/numbers.js';
import { onlyParameters, single } from '../http/parameters.js';
import { encodeText, parseOutputEncodingParam } from '../import/encoding.js';
import { overdueCsv, patrolCsv, plansCsv, rollupCsv } from './csv.js';
import { parsePeriod } from './period.js';
import { buildRollup, DEFAULT_REPLACE_AFTER_YEARS } from './rollup.js';
import { LEVELS, resolveScope, type Level } from './scope.js';

/**
 * GET /api/rollups: 彙整 statistics per unit for a period (README "Roll-ups"), as JSON (with the
 * labels and figures a chart needs) or CSV (`format=csv`; `table=overdue` for the overdue list;
 * `encoding=big5`).
 */
const PARAMS = ['by', 'unit', 'period', 'from', 'to', 'format', 'table', 'encoding', 'replaceAfter'];
const MAX_REPLACE_AFTER_YEARS = 50;

export function rollupRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/rollups', async (req, res) => {
    const q: Record<string, string> = {};
    onlyParameters(req.query as Record<string, unknown>, PARAMS);
    for (const [k, v] of Object.entries(req.query)) q[k] = single(v, k);
    const by = (q.by ?? 'precinct') as Level;
    if (!LEVELS.includes(by)) throw refusal(400, 'rollup_by', { value: by }, { field: 'by' });
    const format = q.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw refusal(400, 'rollup_format', { value: format }, { field: 'format' });
    const table = q.table ?? 'units';
    if (table !== 'units' && table !== 'overdue' && table !== 'patrol' && table !== 'plans') throw refusal(400, 'rollup_table', { value: table }, { field: 'table' });
    const encoding = parseOutputEncodingParam(q.encoding ?? 'utf-8');
    const replaceAfter = q.replaceAfter === undefined ? DEFAULT_REPLACE_AFTER_YEARS : parseInteger(q.replaceAfter, 'replaceAfter', 1, MAX_REPLACE_AFTER_YEARS);
    const period = parsePeriod(q);
    const scope = await resolveScope(db, req.principal, by, q.unit);
    const rollup = await buildRollup(db, req.principal, scope, period, replaceAfter);
    if (format === 'json') {
      res.json(rollup);
      return;
    }
    // The overdue list names key places: like the layer, it does not exist for those who may not read them.
    if (table === 'overdue' && !rollup.overdue) throw refusal(404, 'rollup_overdue_police_only', undefined);
    if (table === 'patrol' && !rollup.patrolPoints) throw refusal(404, 'rollup_patrol_police_only', undefined);
    if (table === 'plans' && !rollup.patrolPlans) throw refusal(404, 'rollup_patrol_police_only', undefined);
    const text = table === 'overdue' ? overdueCsv(rollup) : table === 'patrol' ? patrolCsv(rollup) : table === 'plans' ? plansCsv(rollup) : rollupCsv(rollup);
    const name = `rollup-${by}-${period.label.replace('/', '_')}${table === 'units' ? '' : `-${table}`}.csv`;
    res.type(`text/csv; charset=${encoding}`).set('Content-Disposition', `attachment; filename="${name}"`)
      .send(encodeText(text, encoding).bytes);
  });
  return r;
}
