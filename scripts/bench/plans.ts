import { generateDemoCity } from '../../server/demo/city/generate.js';
import { loadDemoCity } from '../../server/demo/city/load.js';
import { readGround } from '../../server/demo/ground.js';
import { draftPlan } from '../../server/patrol/plan-draft.js';
import { comingMonday } from '../../server/patrol/plans.js';
import { fmt, median, table, timeRuns } from './report.js';
import { onEachDatabase } from './scratch-db.js';

/**
 * Drafting a week's 熱時熱點 patrol plan (issue 16: a station with 20 beats over 12 months of
 * incidents, ≤ 2 s): the demo city at full scale (52,000 incidents in the year), the station with
 * the most beats; the draft reads its 16 weeks (8 to draft from, 8 before for the back-test),
 * places the points and names the 村里. The reference, in the same run: counting that station's
 * incidents of the year by hour of the day, the plainest look at its hot hours.
 */
const TARGET_MS = 2000;

export async function plansBench(opts: { runs: number; databaseUrl?: string }): Promise<string> {
  const rows = await onEachDatabase(opts.databaseUrl, async (db, kind) => {
    await loadDemoCity(db, generateDemoCity({ seed: 1, scale: 1 }), readGround());
    if (kind === 'postgres') await db.exec('ANALYZE');
    const { rows: [station] } = await db.query<{ code: string; beats: number; incidents: number }>(`
      SELECT b.station_code AS code, count(*)::int AS beats,
             (SELECT count(*)::int FROM incidents i WHERE i.station_code = b.station_code AND i.deleted_at IS NULL) AS incidents
        FROM beats b WHERE b.deleted_at IS NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`);
    const week = comingMonday();
    let places = 0;
    const drafts = await timeRuns(opts.runs, async () => { places = (await draftPlan(db, station!.code, null, week)).items.length; });
    const reference = await timeRuns(opts.runs, () => db.query(`SELECT extract(hour FROM occurred_at AT TIME ZONE 'Asia/Taipei') h, count(*)
      FROM incidents WHERE station_code = $1 AND deleted_at IS NULL AND occurred_at >= now() - interval '365 days' GROUP BY 1`, [station!.code]));
    const ms = median(drafts);
    return [kind, station!.code, fmt(station!.beats), fmt(station!.incidents), fmt(places), drafts.map((x) => fmt(x)).join(' / '), fmt(ms),
      `${fmt(median(reference), 1)} ms`, `${fmt(ms / median(reference), 1)}×`, `≤ ${fmt(TARGET_MS)} ms`, ms <= TARGET_MS ? 'met' : 'not met'];
  });
  return `Drafting a week's patrol plan (median of ${opts.runs} runs; the demo city at full scale)\n${table(
    ['database', 'station', 'beats', 'incidents (year)', 'places', 'runs (ms)', 'median (ms)', 'hours of the year counted', 'ratio', 'target', 'verdict'], rows)}`;
}
