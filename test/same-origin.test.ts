import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../server/auth/middleware.js';
import { openWorld, PASSWORD, writeCounts, type World } from './support/world.js';

/**
 * Cross-site request forgery: a request that changes something and is signed only by the
 * session cookie must come from the service's own pages (Sec-Fetch-Site, else Origin); a page
 * on another site is refused with 403 and nothing is written. Bearer clients (the CLI, QGIS)
 * and reads are not affected.
 */
let w: World;
let cookie: string;
/** One listening server, so the Host the requests carry is the same each time. */
let server: Server;
let origin: string;
beforeAll(async () => {
  w = await openWorld();
  server = createServer(w.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const res = await request(server).post('/api/login').send({ username: 'planner', password: PASSWORD }).expect(200);
  cookie = String(res.headers['set-cookie']).split(';')[0]!;
  expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
});
afterAll(async () => {
  server?.close();
  await w?.close();
});

const camera = (name: string) => ({
  type: 'Feature', geometry: { type: 'Point', coordinates: [120.205, 22.995] },
  properties: { name, azimuth: 90, fov: 60, range_m: 40, owner_kind: 'police' },
});
const create = (headers: Record<string, string>) =>
  request(server).post('/api/layers/cameras/features').set({ Cookie: cookie, ...headers }).send(camera('府前路口'));

describe('state-changing requests signed by the session cookie', () => {
  it.each([
    ['a page on another site (Fetch Metadata)', { 'Sec-Fetch-Site': 'cross-site' }],
    ['a sibling subdomain (Fetch Metadata)', { 'Sec-Fetch-Site': 'same-site' }],
    ['a page on another site (Origin, an older browser)', { Origin: 'http://evil.example' }],
    ['a sandboxed frame (Origin: null)', { Origin: 'null' }],
    ['another port of the same host', { Origin: 'http://127.0.0.1:1' }],
    ['a cross-site page that also sends an Origin that looks right', { 'Sec-Fetch-Site': 'cross-site', Origin: 'http://127.0.0.1' }],
  ])('from %s are refused, nothing written', async (_name, headers) => {
    const before = await writeCounts(w.db, 'cameras');
    const res = await create(headers).expect(403);
    expect(res.body.error).toMatchObject({ code: 'cross_site_write', message: expect.stringMatching(/拒絕跨站請求.*Authorization: Bearer/) });
    expect(await writeCounts(w.db, 'cameras')).toEqual(before);
  });

  it('from the service\'s own pages, or from a client that is no browser page, are taken', async () => {
    await create({ 'Sec-Fetch-Site': 'same-origin' }).expect(201);
    // A bookmark or a typed address (Sec-Fetch-Site: none) is the user's own doing.
    await create({ 'Sec-Fetch-Site': 'none' }).expect(201);
    await create({ Origin: origin }).expect(201);
    // The scheme is not compared: behind a TLS proxy that does not forward it, our own pages still write.
    await create({ Origin: origin.replace('http:', 'https:') }).expect(201);
    // curl with a cookie jar sends neither header.
    await create({}).expect(201);
  });

  it('PATCH, DELETE, restore and import are held to the same rule', async () => {
    const made = await create({ 'Sec-Fetch-Site': 'same-origin' }).expect(201);
    const url = `/api/layers/cameras/features/${made.body.id}`;
    const cross = { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' };
    await request(server).patch(url).set({ ...cross, 'If-Match': '"1"' }).send({ properties: { status: 'broken' } }).expect(403);
    await request(server).delete(url).set({ ...cross, 'If-Match': '"1"' }).expect(403);
    await request(server).post(`${url}/restore`).set(cross).expect(403);
    await request(server).post('/api/import/cameras?dryRun=true').set({ ...cross, 'Content-Type': 'text/csv' }).send('name\nx\n').expect(403);
    const now = await request(server).get(url).set({ Cookie: cookie }).expect(200);
    expect(now.headers.etag).toBe('"1"');
    expect(now.body.properties.status).toBe('working');
  });

  it('signing in from another site is refused too (no forced sign-in into another account)', async () => {
    await request(server).post('/api/login').set('Origin', 'http://evil.example').send({ username: 'planner', password: PASSWORD }).expect(403);
    await request(server).post('/api/login').set('Sec-Fetch-Site', 'same-origin').send({ username: 'planner', password: PASSWORD }).expect(200);
  });
});

describe('what the rule leaves alone', () => {
  it('Bearer clients (the CLI, QGIS, scripts): no other site can add the header, so no origin is asked for', async () => {
    const res = await w.as('planner').post('/api/layers/cameras/features').set({ Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' })
      .send(camera('中正路口')).expect(201);
    expect(res.body.properties.precinct_code).toBe('P1');
  });

  it('reads from another site (a link to the map) work as before', async () => {
    await request(server).get('/api/layers/cameras/features').set({ Cookie: cookie, 'Sec-Fetch-Site': 'cross-site', Origin: 'http://evil.example' }).expect(200);
    await request(server).get('/api/me').set({ Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' }).expect(200);
  });
});
