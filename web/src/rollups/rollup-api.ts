import { api, query } from '../lib/api.js';
import type { PlanRollupRow } from '../../../server/patrol/plans.js';

/** GET /api/rollups as README "Roll-ups (彙整)" describes it. */
export type Level = 'bureau' | 'precinct' | 'station' | 'beat';
export const LEVEL_LABELS: Record<Level, string> = { bureau: '警察局', precinct: '分局', station: '派出所', beat: '警勤區' };

export interface Counted { key: string; label: string; count: number }
export interface Compared { key: string; label: string; current: number; previous: number; change: number; changePct: number | null }

export interface Figures {
  keyPlaces?: { total: number; listed: number; delisted: number; listedInPeriod: number; delistedInPeriod: number; byCategory: { key: string; label: string; listed: number; delisted: number }[] };
  visits?: { visits: number; placesVisited: number; byOutcome: Counted[]; due: number; dueVisited: number; overdue: number; rate: number | null };
  cameras?: {
    total: number; byStatus: Counted[]; working: number; workingRatio: number | null; byOwner: Counted[]; lpr: number; networked: number;
    noLpr: number; notNetworked: number; replacementDue: number; unknownAge: number;
    /** 妥善率 over the period: time working over time in service (README "Roll-ups"). */
    inService: number; availability: number | null; inServiceHours: number; brokenHours: number; offlineHours: number;
  };
  watch?: { blocks: number; adopters: number; teams: number; withTeam: number; areaKm2: number; byAdopterKind: Counted[] };
  drones?: { surveys: number; done: number; withFindings: number; targets: number; byStatus: Counted[] };
  incidents?: { current: number; previous: number; change: number; changePct: number | null; byType: Compared[] };
  patrol?: { points: number; pointsSignedAt: number; pointsMissed: number; signIns: number; byShift: Counted[] };
}

export interface Unit { code: string; name: string; level: Level }

export interface OverduePlace { id: number; name: string; category: string; beat: string | null; station: string | null; precinct: string | null; nextVisitDue: string; lastVisitedAt: string | null; daysOverdue: number; beatName: string | null }
export interface DownCamera { id: number; name: string; status: string; unit: string | null; availability: number | null; downHours: number; deleted: boolean }
export interface PatrolPointRow { id: number; name: string; kind: string; beat: string | null; unit: string | null; signIns: number; lastSignedAt: string | null; byShift: Counted[] }
export interface DroneFinding { id: number; name: string; plannedOn: string; purpose: string; findings: string; unit: string | null }

/** A station's week of the 熱時熱點 plan, planned against done (server/patrol/plans.ts; type only, nothing bundled). */
export type { PlanRollupRow };

export interface Rollup {
  by: Level;
  unit: Unit | null;
  period: { from: string; to: string; label: string; previous: { from: string; to: string } };
  asOf: string;
  replaceAfterYears: number;
  sections: (keyof Figures)[];
  units: (Unit & Figures)[];
  total: Figures;
  overdue?: OverduePlace[];
  droneFindings?: DroneFinding[];
  camerasDown?: DownCamera[];
  patrolPoints?: PatrolPointRow[];
  patrolPlans?: PlanRollupRow[];
}

/** What a roll-up is asked for; the page keeps it in its address so a report can be shared. */
export interface RollupRequest {
  by: Level;
  unit?: string;
  /** A named period (2026H1, 2026Q3, 2026-09, 2026), or from/to dates. */
  period?: string;
  from?: string;
  to?: string;
  replaceAfter?: number;
}

export const rollupUrl = (r: RollupRequest, extra: Record<string, string> = {}) =>
  `/api/rollups${query({ by: r.by, unit: r.unit, period: r.period, from: r.from, to: r.to, replaceAfter: r.replaceAfter, ...extra })}`;

export const fetchRollup = (r: RollupRequest) => api.get<Rollup>(rollupUrl(r));
