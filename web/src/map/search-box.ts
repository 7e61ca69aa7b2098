import type * as maplibregl from 'maplibre-gl';
import type { Geometry } from 'geojson';
import type { Registry } from '../app/registry.js';
import { api, ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { clearFound, showFound } from './found-place.js';

/** One result of GET /api/search (README "Search"). */
export interface SearchResult {
  kind: 'address' | 'village' | 'town' | 'unit' | 'beat' | 'feature';
  layer: string;
  id?: number;
  name: string;
  label: string;
  bbox: [number, number, number, number];
  geometry?: Geometry;
  match: 'exact' | 'prefix' | 'partial' | 'approximate';
  approximate?: boolean;
  note?: string;
  phone?: string | null;
  matched?: { property: string; value: string };
}

/** The group headings, in Traditional Chinese. */
export const KIND_HEADINGS: Record<SearchResult['kind'], string> = {
  address: '地址', village: '村里', town: '鄉鎮市區', unit: '警察單位', beat: '警勤區', feature: '圖資',
};

/** As many as the server takes (server/search/query.ts). */
const MAX_CHARS = 100;
const PER_KIND = 8;

/**
 * The search box: 村里, 鄉鎮市區, 派出所 and 分局, 警勤區, addresses and the features the caller
 * may read, grouped under their headings as the server ranks them. Choosing one flies the map
 * there and outlines it (areas) or marks it (points); a place standing in for an address the
 * gazetteer lacks says so beneath the box. Arrow keys move through the list, Enter takes the
 * first (or the one in focus), Escape closes it.
 */
export function searchBox(map: maplibregl.Map, registry: Registry, onPick: (hit: SearchResult) => void = () => {}): HTMLElement {
  const results = h('ul', { class: 'search-results', role: 'listbox', 'aria-label': '搜尋結果', hidden: true });
  const note = h('p', { class: 'search-note', role: 'status', hidden: true });
  let timer: number | undefined;
  let seq = 0;
  const options = () => [...results.querySelectorAll<HTMLButtonElement>('button[role=option]')];
  const close = () => { results.hidden = true; };

  const input = h('input', {
    type: 'search', placeholder: '搜尋村里、地址、派出所、警勤區…', 'aria-label': '搜尋地點', autocomplete: 'off', maxLength: MAX_CHARS,
    enterKeyHint: 'search',
    oninput: () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void run(), 250);
      if (input.value.trim() === '') {
        note.hidden = true;
        clearFound(map);
      }
    },
    onkeydown: (e: KeyboardEvent) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        window.clearTimeout(timer);
        void run().then(() => options()[0]?.click());
      } else if (e.key === 'ArrowDown') {
        e.preventDefault();
        options()[0]?.focus();
      } else if (e.key === 'Escape') close();
    },
  });
  results.addEventListener('keydown', (e: KeyboardEvent) => {
    const all = options();
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = at + (e.key === 'ArrowDown' ? 1 : -1);
      (next < 0 ? input : all[Math.min(next, all.length - 1)]!).focus();
    } else if (e.key === 'Escape') {
      close();
      input.focus();
    }
  });

  const pick = (hit: SearchResult) => {
    close();
    input.value = hit.name;
    input.blur();
    note.textContent = hit.note ?? '';
    note.hidden = !hit.note;
    showFound(map, hit);
    onPick(hit);
  };

  const entry = (hit: SearchResult) => h('li', { role: 'presentation' },
    h('button', { type: 'button', role: 'option', class: hit.approximate ? 'approximate' : '', dataset: { kind: hit.kind, layer: hit.layer, id: hit.id ?? '' },
      onclick: () => pick(hit) },
    h('span', { class: 'hit-name' }, hit.name, hit.approximate ? h('span', { class: 'hit-badge' }, '約略位置') : null),
    h('span', { class: 'hit-label' }, hit.kind === 'feature' ? registry.get(hit.layer)?.title ?? hit.label : hit.label),
    hit.phone ? h('span', { class: 'hit-detail' }, `電話 ${hit.phone}`) : null,
    hit.matched && hit.matched.value !== hit.name ? h('span', { class: 'hit-detail' }, `${propertyLabel(registry, hit)}：${hit.matched.value}`) : null,
    hit.note ? h('span', { class: 'hit-note' }, hit.note) : null));

  let last = '';
  async function run(): Promise<void> {
    const q = input.value.trim();
    if (q === last && !results.hidden) return;
    last = q;
    const mine = ++seq;
    if (!q) {
      close();
      return;
    }
    let hits: SearchResult[];
    try {
      hits = (await api.get<{ results: SearchResult[] }>(`/api/search?q=${encodeURIComponent(q)}&limit=${PER_KIND}`)).results;
    } catch (err) {
      if (mine !== seq) return;
      replace(results, h('li', { class: 'empty' }, err instanceof ApiError ? err.message : '搜尋暫時無法使用，請稍後再試。'));
      results.hidden = false;
      return;
    }
    if (mine !== seq) return;
    const groups: HTMLElement[] = [];
    hits.forEach((hit, i) => {
      if (i === 0 || hits[i - 1]!.kind !== hit.kind) groups.push(h('li', { class: 'search-group', role: 'presentation', dataset: { kind: hit.kind } }, KIND_HEADINGS[hit.kind]));
      groups.push(entry(hit));
    });
    replace(results, hits.length ? groups : h('li', { class: 'empty' }, '查無符合的地點；可輸入村里、鄉鎮市區、地址、派出所或警勤區代碼。'));
    results.hidden = false;
  }

  document.addEventListener('click', (e) => { if (!box.contains(e.target as Node)) close(); });
  const box = h('div', { class: 'search-box', role: 'search' }, input, results, note);
  return box;
}

/** The label of the property a feature matched by (「地址」), from the registry. */
function propertyLabel(registry: Registry, hit: SearchResult): string {
  return registry.get(hit.layer)?.properties.find((p) => p.name === hit.matched!.property)?.label ?? hit.matched!.property;
}
