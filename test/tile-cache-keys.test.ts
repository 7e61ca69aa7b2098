import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC } from '../server/auth/principal.js';
import { MemoryTileStore } from '../server/cache/memory-store.js';
import { TileCache } from '../server/cache/tile-cache.js';
import { MAX_FILTER_VALUES } from '../server/features/list-query.js';
import { LAYERS } from '../server/layers/registry.js';
import { tileAt } from '../server/tiles/coords.js';
import { filterKey, MAX_READABLE_FILTER_KEY, parseTileFilters } from '../server/tiles/filters.js';
import { openWorld, type World } from './support/world.js';

/**
 * A filtered tile is cached under its filter, so the filter must not let a caller grow keys
 * without end: filter values are checked against the registry (choices, integer ranges, ids,
 * text no longer than the property, times) and written one way before they become part of a
 * key, and a long filter is kept as its digest.
 */

/** A real memory store that also notes every key it is asked to keep (without its cache epoch, `7:`). */
class NotingStore extends MemoryTileStore {
  readonly kept = new Set<string>();
  override async setIfCurrent(tileKey: string, variant: string, value: Buffer, layer: string, seq: number): Promise<void> {
    this.kept.add(`${tileKey.replace(/^\d+:/, '')} ${variant}`);
    return super.setIfCurrent(tileKey, variant, value, layer, seq);
  }
}

let w: World;
const store = new NotingStore(16 * 2 ** 20);
let agent: ReturnType<World['instance']>['as'];
beforeAll(async () => {
  w = await openWorld();
  agent = w.instance({ tileCache: new TileCache(store) }).as;
  await w.as('admin').post('/api/layers/incidents/features').send({
    type: 'Feature', geometry: { type: 'Point', coordinates: [120.205, 22.995] }, properties: { type: 'drugs', occurred_at: '2025-05-05T23:00:00+08:00' },
  }).expect(201);
});
afterAll(async () => { await w?.close(); });

const t = tileAt(120.205, 22.995, 16);
const tile = (query: string) => agent('admin').get(`/tiles/incidents,cameras/${t.z}/${t.x}/${t.y}.mvt?${query}`);

describe('cache keys of filtered tiles', () => {
  it('one key for one filter however it is written: order, repeats, leading zeros, time spellings', async () => {
    const spellings = [
      ['incidents.type=drugs,violence&cameras.install_year=2016', 'cameras.install_year=02016&incidents.type=violence,drugs,drugs'],
      ['incidents.datetime=2025-05-05T23:00:00%2B08:00/..', 'incidents.datetime=2025-05-05%2023:00/', 'incidents.datetime=2025-05-05t23:00:00.000000%2B08:00/..'],
      ['incidents.hour=22-2', 'incidents.hour=0,1,2,22,23', 'incidents.hour=23,22,0-2'],
    ];
    for (const group of spellings) {
      store.kept.clear();
      for (const q of group) await tile(q).expect((r) => expect([200, 204], q).toContain(r.status));
      // One incidents key and one cameras key for the whole group.
      expect([...store.kept].sort(), group.join(' | ')).toHaveLength(new Set([...store.kept].map((v) => v.split('/')[0])).size);
    }
  });

  it('refuses what no layer holds before any key is made: over-long lists and text, values out of range', async () => {
    store.kept.clear();
    const cases: [string, string][] = [
      [`cameras.name=${'長'.repeat(201)}`, 'text_too_long'],
      [`incidents.type=${Array.from({ length: MAX_FILTER_VALUES + 1 }, () => 'drugs').map((x, i) => (i % 2 ? x : 'violence')).join(',')}&cameras.install_year=${Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i) => 1990 + (i % 30)).join(',')}`, 'too_many_values'],
      ['cameras.install_year=1989', 'integer_out_of_range'],
      ['cameras.install_year=2147483648', 'integer_out_of_range'],
      ['incidents.type=no_such_type', 'filter_not_a_choice'],
      ['cameras.nope=1', 'unknown_parameter'],
    ];
    for (const [q, code] of cases) {
      const res = await tile(q).expect(400);
      expect(res.body.error.code, q).toBe(code);
    }
    expect(store.kept.size).toBe(0);
  });

  it('a filter longer than a readable key is kept as its digest: the key stays short however long the filter', async () => {
    store.kept.clear();
    const names = Array.from({ length: 100 }, (_, i) => `${'名'.repeat(8)}${i}`);
    await tile(`cameras.name=${encodeURIComponent(names.join(','))}`).expect((r) => expect([200, 204]).toContain(r.status));
    await tile(`cameras.name=${encodeURIComponent([...names].reverse().join(','))}`).expect((r) => expect([200, 204]).toContain(r.status));
    const cameraKeys = [...store.kept].filter((k) => k.startsWith('cameras/'));
    expect(cameraKeys).toHaveLength(1);
    expect(cameraKeys[0]!.length).toBeLessThan(120);
    expect(cameraKeys[0]).toMatch(/\?sha256:[\w-]{43}$/);
    // A short filter stays readable.
    store.kept.clear();
    await tile('cameras.name=民族路口').expect((r) => expect([200, 204]).toContain(r.status));
    expect([...store.kept].find((k) => k.startsWith('cameras/'))).toMatch(/\?name=民族路口$/);
  });

  it('the longest filter any layer takes still makes a key of bounded length', () => {
    const admin = { ...PUBLIC, username: 'admin', role: 'admin' as const };
    for (const layer of LAYERS.filter((l) => l.tiles)) {
      const params = new URLSearchParams();
      for (const prop of layer.properties) {
        const kind = prop.type;
        if (kind.kind === 'enum') params.set(prop.name, kind.choices.map((c) => c.value).join(','));
        if (kind.kind === 'boolean') params.set(prop.name, 'true,false');
        if (kind.kind === 'integer') {
          const max = kind.max === 'current-year' ? new Date().getFullYear() : kind.max;
          params.set(prop.name, Array.from({ length: MAX_FILTER_VALUES }, (_, i) => String(kind.min + (i % (max - kind.min + 1)))).join(','));
        }
        if (kind.kind === 'reference') params.set(prop.name, Array.from({ length: MAX_FILTER_VALUES }, (_, i) => String(2 ** 53 - 1 - i)).join(','));
        if (kind.kind === 'text') params.set(prop.name, Array.from({ length: MAX_FILTER_VALUES }, (_, i) => `${'字'.repeat(kind.maxLength - 3)}${i}`).join(','));
      }
      if (layer.temporal) {
        params.set('datetime', '2025-01-01T00:00:00.123456+08:00/9999-12-31T23:59:59.999999-14:00');
        params.set('hour', '0-23');
        params.set('weekday', '1-7');
      }
      const q = parseTileFilters([layer], admin, params.toString()).get(layer.id);
      const key = q ? filterKey(q) : '';
      expect(key.length, `${layer.id}: ${key.slice(0, 200)}`).toBeLessThanOrEqual(MAX_READABLE_FILTER_KEY);
    }
  });
});
