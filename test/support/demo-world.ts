import request from 'supertest';
import { createApp, type App, type AppOptions } from '../../server/app.js';
import { upsertUser } from '../../server/auth/users.js';
import type { Db } from '../../server/db/db.js';
import type { DemoCity } from '../../server/demo/city/model.js';
import { setDemoAccounts } from '../../server/demo/seed.js';
import { seededDb } from './seeded.js';
import { agents, PASSWORD, type World } from './world.js';

/**
 * The deterministic demo city (server/demo) on a fresh database, with its accounts (admin;
 * planner of P01; officer of P01S01B01; community of its 村里) signed in.
 */
export const DEMO_NOW = new Date('2026-11-01T00:00:00+08:00');

export interface DemoWorld {
  db: Db;
  app: App;
  city: DemoCity;
  as: World['as'];
  close(): Promise<void>;
}

/** `options`: of the app, as openWorld takes them (limits, say). */
export async function openDemoWorld(scale: number, options: Omit<AppOptions, 'db'> = {}): Promise<DemoWorld> {
  const { db, city } = await seededDb(scale, DEMO_NOW);
  await setDemoAccounts(db, PASSWORD, [city.community.villageCode]);
  await upsertUser(db, { username: 'planner2', password: PASSWORD, role: 'planner', precinctCode: 'P02' });
  const app = createApp({ db, bodyLimit: '2mb', ...options });
  const tokens = {} as World['tokens'];
  for (const role of ['admin', 'planner', 'officer', 'community'] as const) {
    tokens[role] = (await request(app).post('/api/login').send({ username: role, password: PASSWORD }).expect(200)).body.token;
  }
  return { db, app, city, as: agents(app, tokens), close: () => db.close() };
}
