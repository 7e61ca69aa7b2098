import request from 'supertest';
import { generateDemoCity } from '../../scripts/demo-city/generate.js';
import { loadDemoCity } from '../../scripts/demo-city/load.js';
import type { DemoCity } from '../../scripts/demo-city/model.js';
import { createApp, type App } from '../../server/app.js';
import { upsertUser } from '../../server/auth/users.js';
import type { Db } from '../../server/db/db.js';
import { DEMO_SEED, setDemoAccounts } from '../../server/demo/seed.js';
import { freshDb } from './db.js';
import { agents, PASSWORD, type World } from './world.js';

/**
 * The deterministic demo city (scripts/demo-city) on a fresh database, with its accounts
 * (admin; planner of P01; officer of P01S01B01; community of its area) signed in.
 */
export const DEMO_NOW = new Date('2026-11-01T00:00:00+08:00');

export interface DemoWorld {
  db: Db;
  app: App;
  city: DemoCity;
  as: World['as'];
  close(): Promise<void>;
}

export async function openDemoWorld(scale: number): Promise<DemoWorld> {
  const db = await freshDb();
  const city = generateDemoCity({ seed: DEMO_SEED, scale, now: DEMO_NOW });
  await loadDemoCity(db, city);
  await setDemoAccounts(db, PASSWORD, city.communityArea.geometry);
  await upsertUser(db, { username: 'planner2', password: PASSWORD, role: 'planner', precinctCode: 'P02' });
  const app = createApp({ db, bodyLimit: '2mb' });
  const tokens = {} as World['tokens'];
  for (const role of ['admin', 'planner', 'officer', 'community'] as const) {
    tokens[role] = (await request(app).post('/api/login').send({ username: role, password: PASSWORD }).expect(200)).body.token;
  }
  return { db, app, city, as: agents(app, tokens), close: () => db.close() };
}
