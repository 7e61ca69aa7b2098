import { Router } from 'express';
import type { Basemaps } from '../basemaps/catalogue.js';
import type { Db } from '../db/db.js';
import { baseUrl } from '../http/base-url.js';

/** [west, south, east, north] of all police units: where the map opens. Unit boundaries are public. */
async function unitExtent(db: Db): Promise<[number, number, number, number] | null> {
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number }>(
    `SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n
       FROM (SELECT ST_Extent(geom)::geometry AS x FROM precincts WHERE deleted_at IS NULL) q`);
  const r = rows[0];
  return r && r.w !== null ? [r.w, r.s, r.e, r.n] : null;
}

/** Layers whose records the demo seed makes up (the ground and the police units are real). */
export const DEMO_LAYERS = ['key-places', 'visits', 'cameras', 'camera-coverage', 'watch-teams', 'watch-blocks', 'drone-surveys', 'incidents'];

/** Whether the demo city was seeded here: its records are labelled 示範資料 wherever they appear. */
async function demoData(db: Db): Promise<{ label: string; note: string; layers: string[] } | null> {
  const { rows } = await db.query<{ seeded: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'seed-demo-city') AS seeded`);
  return rows[0]!.seeded ? {
    label: '示範資料',
    note: '治安重點處所、查訪紀錄、監視器、守望相助隊、治安區塊、空拍機蒐證區與案件為模擬的示範資料，放在桃園市真實的村里與街廓上；' +
      '分局、派出所的名稱、地址與電話為桃園市政府警察局公開資料，其轄區為推估（政府資料開放授權條款第1版）。',
    layers: DEMO_LAYERS,
  } : null;
}

/** GET /api/app-config: what the web app needs to know of this deployment. */
export function appConfigRoutes(db: Db, basemaps: Basemaps): Router {
  const r = Router();
  r.get('/api/app-config', async (req, res) => {
    res.json({
      // The switcher's choices besides the service's own layers, and the one the map starts on.
      basemaps: basemaps.list(baseUrl(req)),
      defaultBasemap: basemaps.defaultId,
      extent: await unitExtent(db),
      demo: await demoData(db),
    });
  });
  return r;
}
