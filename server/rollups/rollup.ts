import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { canRead } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { plansInPeriod, type PlanRollupRow } from '../patrol/plans.js';
import { addDays, taiwanToday, type Period } from './period.js';
import type { Level, Scope, Unit } from './scope.js';
import {
  downCameras, droneFindings, overduePlaces, patrolPoints, SECTIONS, type DownCamera, type DroneFinding, type Figures, type OverduePlace, type PatrolPointRow, type SectionContext,
} from './sections.js';

/** A whole roll-up: the figures of every section the caller may see, per unit and in total. */
export interface Rollup {
  by: Level;
  unit: Unit | null;
  period: Period;
  /** The day the register figures describe (today, Taiwan time). */
  asOf: string;
  replaceAfterYears: number;
  /** The sections present, in order; the others are not the caller's to see. */
  sections: string[];
  units: (Unit & Figures)[];
  total: Figures;
  overdue?: OverduePlace[];
  droneFindings?: DroneFinding[];
  /** The cameras down longest over the period: what pulls 妥善率 down. */
  camerasDown?: DownCamera[];
  /** Each patrol point with its sign-ins in the period by shift (電子巡簽), the least signed at first. */
  patrolPoints?: PatrolPointRow[];
  /** The 熱時熱點 patrol plans of the scope's stations whose week meets the period: planned against done, week by week. */
  patrolPlans?: PlanRollupRow[];
}

/** Cameras this many years old (by install year) are due for replacement, unless asked otherwise. */
export const DEFAULT_REPLACE_AFTER_YEARS = 7;

export async function buildRollup(db: Queryable, p: Principal, scope: Scope, period: Period, replaceAfterYears: number, today = taiwanToday()): Promise<Rollup> {
  const dayAfterPeriod = addDays(period.to, 1);
  const ctx: SectionContext = { db, p, scope, period, overdueBefore: today < dayAfterPeriod ? today : dayAfterPeriod, replaceAfterYears };
  const present = SECTIONS.filter((s) => s.needs.every((id) => canRead(findLayer(id)!, p)));
  const figures = new Map<string, Figures>([...scope.units.map((u) => [u.code, {}] as [string, Figures]), ['total', {}]]);
  for (const section of present) {
    for (const [code, f] of await section.count(ctx)) figures.get(code)![section.name] = f;
  }
  const overdue = await overduePlaces(ctx);
  const findings = await droneFindings(ctx);
  const down = await downCameras(ctx);
  const patrol = await patrolPoints(ctx);
  const plans = await plansInPeriod(db, p, scope.under, period.from, period.to);
  return {
    by: scope.by, unit: scope.under, period, asOf: today, replaceAfterYears,
    sections: present.map((s) => s.name),
    units: scope.units.map((u) => ({ ...u, ...figures.get(u.code)! })),
    total: figures.get('total')!,
    ...(overdue ? { overdue } : {}), ...(findings ? { droneFindings: findings } : {}), ...(down ? { camerasDown: down } : {}),
    ...(patrol ? { patrolPoints: patrol } : {}), ...(plans ? { patrolPlans: plans } : {}),
  };
}
