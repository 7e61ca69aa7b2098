import type { Principal } from '../auth/principal.js';
import { canRead } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';

/**
 * What analysis may tell a caller who may not read individual incidents (community, public):
 * counts and statistics of areas and hours only, and a count below MIN_COUNT is reported as
 * suppressed, never as the number (nor as 0). The same threshold applies to every figure built
 * from incidents they receive: grid cells, density cells (points within the bandwidth), hot-hour
 * cells, beats, coverage shares and optimisation gains.
 */
export const MIN_COUNT = 3;

export interface Disclosure {
  /** True: the caller gets aggregates only, with small counts suppressed. */
  readonly aggregated: boolean;
  readonly minCount: number;
}

export const disclosureFor = (p: Principal): Disclosure =>
  ({ aggregated: !canRead(findLayer('incidents')!, p), minCount: MIN_COUNT });

/** A count as the caller may see it: the number, or null when it must be suppressed. */
export const disclosed = (d: Disclosure, n: number): number | null => (!d.aggregated || n >= d.minCount ? n : null);
