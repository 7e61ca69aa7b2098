import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { isInternal } from '../layers/access.js';
import { backtest, BACKTEST_PARAMS } from './backtest.js';
import { BEAT_RANKING_PARAMS, beatRanking } from './beat-ranking.js';
import { COVERAGE_PARAMS, coverageStats, coverageUnion } from './coverage.js';
import { DENSITY_PARAMS, densitySurface } from './density.js';
import { FORECAST_PARAMS, forecastCells } from './forecast-cells.js';
import { HOT_HOURS_PARAMS, hotHours } from './hot-hours.js';
import { HOTSPOT_PARAMS, hotSpots } from './hotspots.js';
import { NEAR_REPEAT_PARAMS, NEAR_REPEAT_WARNING_PARAMS, nearRepeat, nearRepeatWarnings } from './near-repeat.js';
import { NEW_SITE_PARAMS, newSites } from './new-sites.js';
import { REAIM_PARAMS, reaim } from './reaim.js';
import { SCOPE_PARAMS } from './scope.js';

/** An analysis: its parameters in, its answer out, reading the database through `db`. */
export type Analysis = (db: Queryable, p: Principal, input: unknown) => Promise<unknown>;

/**
 * The endpoints under /api/analysis, each with the parameters it takes (names are what tests
 * and clients can rely on), and who may use those not everyone may.
 */
export const ANALYSES: Record<string, { run: Analysis; params: Readonly<Record<string, unknown>>; for?: (p: Principal) => boolean }> = {
  hotspots: { run: hotSpots, params: HOTSPOT_PARAMS },
  density: { run: densitySurface, params: DENSITY_PARAMS },
  'hot-hours': { run: hotHours, params: HOT_HOURS_PARAMS },
  beats: { run: beatRanking, params: BEAT_RANKING_PARAMS },
  backtest: { run: backtest, params: BACKTEST_PARAMS, for: isInternal },
  forecast: { run: forecastCells, params: FORECAST_PARAMS },
  'near-repeat': { run: nearRepeat, params: NEAR_REPEAT_PARAMS, for: isInternal },
  'near-repeat/warnings': { run: nearRepeatWarnings, params: NEAR_REPEAT_WARNING_PARAMS, for: isInternal },
  coverage: { run: coverageStats, params: COVERAGE_PARAMS },
  'coverage/union': { run: coverageUnion, params: SCOPE_PARAMS },
  reaim: { run: reaim, params: REAIM_PARAMS },
  'new-sites': { run: newSites, params: NEW_SITE_PARAMS },
};
