import type { LayerInfo, PropertyInfo, Registry } from '../app/registry.js';
import { api } from '../lib/api.js';
import { getFeature, type Feature } from './features.js';

/**
 * The names people know for what a record points at: a unit by its code (P01S01 → 大樹派出所,
 * from GET /api/units/names), a referenced record by its id (a watch team, a key place). Names
 * are kept for the page's life; what the caller may not read keeps its number.
 */
const unitNames = new Map<string, Promise<string | undefined>>();
const featureNames = new Map<string, Promise<string | undefined>>();

async function fetchUnitNames(codes: string[]): Promise<void> {
  const wanted = codes.filter((c) => !unitNames.has(c));
  if (wanted.length === 0) return;
  const answer = api.get<{ names: Record<string, string> }>(`/api/units/names?codes=${encodeURIComponent(wanted.join(','))}`)
    .then((r) => r.names, () => {
      // Not known this time (offline, too many requests): asked again next time, not remembered.
      for (const c of wanted) unitNames.delete(c);
      return {} as Record<string, string>;
    });
  for (const c of wanted) unitNames.set(c, answer.then((names) => names[c]));
}

function featureName(registry: Registry, layerId: string, id: number): Promise<string | undefined> {
  const key = `${layerId}/${id}`;
  let name = featureNames.get(key);
  if (!name) {
    const layer = registry.get(layerId);
    name = layer
      ? getFeature(layerId, id).then((f) => { const v = f.properties[layer.label]; return v === null || v === undefined ? undefined : String(v); }, () => undefined)
      : Promise.resolve(undefined);
    featureNames.set(key, name);
  }
  return name;
}

/** The unit's name for a code (cached), or the code where it names no unit. */
export async function unitName(code: string): Promise<string> {
  await fetchUnitNames([code]);
  return (await unitNames.get(code)) ?? code;
}

const MAX_NAMED = 8;

const idsOf = (p: PropertyInfo, v: unknown): number[] =>
  (p.type === 'ids' ? (Array.isArray(v) ? v : []) : [v]).map(Number).filter(Number.isInteger);

/** Display texts for a feature's unit codes and references, by property name. */
export async function namesOf(registry: Registry, layer: LayerInfo, f: Feature): Promise<Record<string, string>> {
  const given = layer.properties.filter((p) => f.properties[p.name] !== null && f.properties[p.name] !== undefined && f.properties[p.name] !== '');
  const units = given.filter((p) => p.unitCode);
  await fetchUnitNames(units.map((p) => String(f.properties[p.name])));
  const out: Record<string, string> = {};
  for (const p of units) out[p.name] = (await unitNames.get(String(f.properties[p.name]))) ?? String(f.properties[p.name]);
  for (const p of given.filter((q) => (q.type === 'reference' || q.type === 'ids') && q.layer)) {
    const ids = idsOf(p, f.properties[p.name]);
    if (ids.length === 0) continue;
    // A long list is named in part: a popup has no room for more.
    const named = ids.slice(0, MAX_NAMED);
    const names = await Promise.all(named.map((id) => featureName(registry, p.layer!, id)));
    out[p.name] = names.map((n, i) => n ?? `編號 ${named[i]}`).join('、') + (ids.length > named.length ? ` 等 ${ids.length} 筆` : '');
  }
  return out;
}
