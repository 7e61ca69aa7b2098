import { Router } from 'express';
import type { Db } from '../db/db.js';
import { expectedVersion } from '../features/write.js';
import { parseBody } from '../http/body.js';
import { message, refusal } from '../http/messages.js';
import { parseId, parseInteger } from '../http/numbers.js';
import { onlyParameters, single } from '../http/parameters.js';
import { approvePlan, changePlan, createPlan, listPlans, newPlanBody, planChangesBody, readPlan, type Plan } from './plans.js';

const send = (res: import('express').Response, plan: Plan, status = 200, note?: string) =>
  res.status(status).set('ETag', `"${plan.version}"`).json({ plan, ...(note ? { message: note } : {}) });

/**
 * 熱時熱點 patrol plans: GET /api/patrol-plans?station=&weeks= (the plans the caller may read,
 * with plan-against-done), GET /api/patrol-plans/{id}, POST /api/patrol-plans (a draft),
 * PATCH /api/patrol-plans/{id} and POST /api/patrol-plans/{id}/approve (If-Match: the version).
 */
export function planRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/patrol-plans', async (req, res) => {
    const query = req.query as Record<string, unknown>;
    onlyParameters(query, ['station', 'weeks']);
    const station = query.station === undefined ? undefined : single(query.station, 'station');
    const weeks = query.weeks === undefined ? 8 : parseInteger(single(query.weeks, 'weeks'), 'weeks', 1, 53);
    res.json({ plans: await listPlans(db, req.principal, station, weeks) });
  });
  r.get('/api/patrol-plans/:id', async (req, res) => {
    const plan = await readPlan(db, req.principal, parseId(String(req.params.id), 'id'));
    send(res, plan);
  });
  r.post('/api/patrol-plans', async (req, res) => {
    const plan = await createPlan(db, req.principal, parseBody(newPlanBody, req.body, 'plan_body'));
    send(res, plan, 201, message('plan_drafted', { places: plan.items.length, station: plan.station.name, week: plan.weekStart }));
  });
  r.patch('/api/patrol-plans/:id', async (req, res) => {
    const id = parseId(String(req.params.id), 'id');
    const changes = parseBody(planChangesBody, req.body, 'plan_body');
    const plan = await changePlan(db, req.principal, id, expectedVersion(req.headers['if-match']), changes);
    send(res, plan, 200, message('plan_saved', undefined));
  });
  r.post('/api/patrol-plans/:id/approve', async (req, res) => {
    const plan = await approvePlan(db, req.principal, parseId(String(req.params.id), 'id'), expectedVersion(req.headers['if-match']));
    send(res, plan, 200, message('plan_approved', undefined));
  });
  return r;
}
