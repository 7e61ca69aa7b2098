import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { isInternal } from '../layers/access.js';
import { backtest } from './backtest.js';
import { beatRanking } from './beat-ranking.js';
import { coverageStats, coverageUnion } from './coverage.js';
import { densitySurface } from './density.js';
import { hotHours } from './hot-hours.js';
import { hotSpots } from './hotspots.js';
import { newSites } from './new-sites.js';
import { reaim } from './reaim.js';

/** An analysis: its parameters in, its answer out, reading the database through `db`. */
export type Analysis = (db: Queryable, p: Principal, input: unknown) => Promise<unknown>;

/** The endpoints under /api/analysis, and who may use those not everyone may. */
export const ANALYSES: Record<string, { run: Analysis; for?: (p: Principal) => boolean }> = {
  hotspots: { run: hotSpots },
  density: { run: densitySurface },
  'hot-hours': { run: hotHours },
  beats: { run: beatRanking },
  backtest: { run: backtest, for: isInternal },
  coverage: { run: coverageStats },
  'coverage/union': { run: coverageUnion },
  reaim: { run: reaim },
  'new-sites': { run: newSites },
};
