import { displayValue, type LayerInfo } from '../app/registry.js';
import { api } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { formatDateTime } from '../lib/format.js';
import { featureUrl, type Feature } from '../map/features.js';
import { saveFeature } from './save-feature.js';

/** One row of GET …/features/{id}/history (server/features/read.ts): what the caller may see of it. */
interface HistoryEntry {
  version: number;
  action: 'create' | 'update' | 'delete' | 'restore';
  actor: string;
  at: string;
  before: { geometry: GeoJSON.Geometry | null; properties: Record<string, unknown> } | null;
  after: { geometry: GeoJSON.Geometry | null; properties: Record<string, unknown> } | null;
}

const ACTIONS: Record<HistoryEntry['action'], string> = { create: '新增', update: '修改', delete: '刪除', restore: '還原' };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The properties an edit changed (those the registry lets people set). */
const changedProperties = (layer: LayerInfo, e: HistoryEntry) => (e.before && e.after
  ? layer.properties.filter((p) => !p.derived && !same(e.before!.properties[p.name], e.after!.properties[p.name]))
  : []);

const movedBy = (e: HistoryEntry) => !!e.before && !!e.after && !same(e.before.geometry, e.after.geometry);

/** What an edit changed, field by field in the registry's words: 「狀態：正常 → 故障」. */
function changes(layer: LayerInfo, e: HistoryEntry): string[] {
  const out = changedProperties(layer, e)
    .map((p) => `${p.label}：${displayValue(p, e.before!.properties[p.name])} → ${displayValue(p, e.after!.properties[p.name])}`);
  if (movedBy(e)) out.push(layer.geometry === 'Point' ? '位置變更' : '範圍變更');
  return out;
}

/**
 * 修改紀錄: every version of a feature, newest first — who, when, what changed — and for those
 * who may edit it, 「還原為修改前」 on a change, which sets back what that change changed (and
 * the caller may set) as a new version, so the history keeps the step back too.
 */
export async function showHistory(host: HTMLElement, layer: LayerInfo, id: number, onDone: (message?: string) => void): Promise<void> {
  const [{ body: current, etag }, { history }] = await Promise.all([
    api.getWithTag<Feature>(featureUrl(layer.id, id)),
    api.get<{ history: HistoryEntry[] }>(`${featureUrl(layer.id, id)}/history`),
  ]);
  const name = String(current.properties[layer.label] ?? `編號 ${id}`);
  const message = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const writable = layer.writable.includes('update') ? (layer.writableFields ?? layer.properties.filter((p) => !p.derived).map((p) => p.name)) : [];
  // Stepping back from a change undoes that change alone: the fields it changed that the caller
  // may set (an officer a camera's status), and its move where the caller may move the feature.
  const undoable = (e: HistoryEntry) => changedProperties(layer, e).map((p) => p.name).filter((n) => writable.includes(n));
  const mayMove = (e: HistoryEntry) => !layer.writableFields && writable.length > 0 && layer.geometry !== null && movedBy(e) && !!e.before!.geometry;
  const restore = async (e: HistoryEntry, button: HTMLButtonElement) => {
    button.disabled = true;
    const before = e.before!;
    const properties = Object.fromEntries(undoable(e).map((n) => [n, before.properties[n]]));
    const geometry = mayMove(e) ? { geometry: before.geometry } : {};
    const refused = await saveFeature({
      layer, message, existing: { id, etag: etag ?? `"${current.properties.version}"`, name },
      body: { properties, ...geometry }, reload: () => void showHistory(host, layer, id, onDone),
    });
    button.disabled = false;
    if (refused === null) onDone(`已將${layer.title}「${name}」還原為第 ${e.version} 版修改前的內容`);
  };
  const rows = [...history].reverse().map((e) => {
    const what = changes(layer, e);
    const canRestore = e.action === 'update' && (undoable(e).length > 0 || mayMove(e));
    const button = h('button', { type: 'button', class: 'secondary small', dataset: { restore: String(e.version) } }, '還原為修改前');
    button.addEventListener('click', () => void restore(e, button));
    return h('li', { class: 'history-entry', dataset: { version: String(e.version) } },
      h('div', { class: 'history-head' }, h('b', {}, `第 ${e.version} 版・${ACTIONS[e.action]}`), ` ${e.actor}・${formatDateTime(e.at)}`),
      what.length ? h('ul', { class: 'history-changes' }, what.map((w) => h('li', {}, w))) : null,
      canRestore ? button : null);
  });
  replace(host, h('h2', {}, `修改紀錄：${layer.title}「${name}」`),
    rows.length ? h('ol', { class: 'history-list' }, rows) : h('p', { class: 'hint' }, '沒有修改紀錄。'),
    message,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => onDone() }, '關閉')));
}
