import type { Feature } from '../map/features.js';
import { daysSince, taiwanDate } from '../lib/format.js';

export interface PlaceDue {
  feature: Feature;
  /** Days past its next-visit date (0 or more), or null if not overdue. */
  overdueDays: number | null;
  /** Days since the last visit, or null if never visited. */
  sinceVisit: number | null;
}

/**
 * Key places in the order an officer should visit them: overdue ones first (most overdue
 * first), then the rest by days since their last visit, places never visited before any. A place
 * is overdue when its next-visit date has passed with no visit on or after that date.
 */
export function visitOrder(places: Feature[], today = taiwanDate()): PlaceDue[] {
  const rows = places.map((feature) => {
    const due = feature.properties.next_visit_due as string | null;
    const last = feature.properties.last_visited_at as string | null;
    return {
      feature,
      overdueDays: due && due < today && !(last && taiwanDate(new Date(last)) >= due) ? daysSince(due) : null,
      sinceVisit: last ? daysSince(last) : null,
    };
  });
  const rank = (r: PlaceDue) => [r.overdueDays === null ? 1 : 0, -(r.overdueDays ?? 0), r.sinceVisit === null ? 0 : 1, -(r.sinceVisit ?? 0)];
  return rows.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return a.feature.id - b.feature.id;
  });
}
