import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWebWorld, rendered, type WebWorld } from './support/browser.js';

/**
 * The community view (no sign-in, and a signed-in community account): public cameras and watch
 * blocks on the map, the camera-help panel, and nothing sensitive asked for at all: no request
 * names a sensitive layer, and no page ever holds a sensitive property.
 */
let w: WebWorld;
beforeAll(async () => {
  w = await openWebWorld();
  // A public and a private camera side by side in the community account's area.
  await w.db.exec(`SELECT set_config('app.actor', 'fixture', false);
    INSERT INTO cameras (name, azimuth, fov, range_m, owner_kind, is_public, contact, geom)
    SELECT n, 90, 60, 40, 'community', pub, '管理員 0912-000-111', ST_Translate(ST_PointOnSurface(area), dx, 0)
      FROM users, (VALUES ('里內公開監視器', true, 0.0), ('里內私人監視器', false, 0.0002)) v(n, pub, dx) WHERE username = 'community';`);
});
afterAll(async () => { await w?.close(); });

const SENSITIVE_LAYERS = /key-places|incidents|drone-surveys|visits/;

describe.each(['public', 'community'] as const)('community view as %s', (as) => {
  it('shows public cameras and watch blocks, asks for nothing sensitive, and sends nothing off the machine', async () => {
    const p = await w.open('/community', as);
    expect(p.errors).toEqual([]);
    expect(p.offMachine()).toEqual([]);
    expect(p.requests.filter((u) => SENSITIVE_LAYERS.test(u))).toEqual([]);
    await p.page.locator('.hot-spots .forecast-summary').waitFor();
    const listed = await p.page.$$eval('.layer-list .layer-row', (rows) => rows.map((r) => (r as HTMLElement).dataset.layer));
    // This quarter's forecast and the aggregated hot spots first, then the public layers, then the ground.
    expect(listed).toEqual(['analysis-forecast', 'analysis-cells', 'precincts', 'stations', 'beats', 'police-units', 'buildings', 'cameras', 'camera-coverage', 'watch-blocks',
      'blocks', 'villages', 'towns', 'addresses', 'counties']);
    if (as === 'community') {
      // The account's 里, outlined, and named in the panel.
      expect(await p.page.locator('.intro h1').innerText()).toContain(w.city.community.name);
      expect(await p.page.evaluate(() => !!(window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.getLayer('my-area-outline'))).toBe(true);
    }

    // Every camera drawn is public (and, for the community account, in its area), and carries no contact.
    const inArea = as === 'community' ? `AND ST_Intersects(geom, (SELECT area FROM users WHERE username = 'community'))` : '';
    const { rows } = await w.db.query<{ x: number; y: number }>(`SELECT ST_X(geom) x, ST_Y(geom) y FROM cameras WHERE is_public ${inArea} ORDER BY id LIMIT 1`);
    await p.page.evaluate(([x, y]) => (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.jumpTo({ center: [x as number, y as number], zoom: 16 }), [rows[0]!.x, rows[0]!.y] as const);
    await p.page.waitForFunction(() => (window as unknown as { emap: { map: import('maplibre-gl').Map } }).emap.map.areTilesLoaded());
    const cameras = await rendered(p.page, ['cameras']);
    expect(cameras.length).toBeGreaterThan(0);
    const ids = cameras.map((c) => c.id!);
    const { rows: flags } = await w.db.query<{ is_public: boolean }>(`SELECT is_public FROM cameras WHERE id = ANY($1::bigint[])`, [ids]);
    expect(flags.every((f) => f.is_public)).toBe(true);
    expect(cameras.every((c) => !('contact' in c.properties))).toBe(true);

    // The camera-help panel answers, and what it asked for is not a sensitive layer either.
    await p.page.click('.camera-help button.primary');
    await p.page.locator('.camera-help .analysis-answer > :first-child').waitFor();
    expect(await p.page.locator('.camera-help .analysis-answer').innerText()).not.toBe('');
    expect(p.requests.filter((u) => SENSITIVE_LAYERS.test(u))).toEqual([]);
    expect(p.offMachine()).toEqual([]);
    await p.context.close();
  });
});
