import type * as maplibregl from 'maplibre-gl';
import type { Registry } from '../app/registry.js';
import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';

interface SearchHit { layer: string; id: number; label: string; matched: { property: string; value: string }; bbox: [number, number, number, number] }

/** The search box: names, addresses and unit codes across the layers the caller may read. */
export function searchBox(map: maplibregl.Map, registry: Registry, onPick: (hit: SearchHit) => void = () => {}): HTMLElement {
  const results = h('ul', { class: 'search-results', role: 'listbox', hidden: true });
  let timer: number | undefined;
  let seq = 0;
  const input = h('input', {
    type: 'search', placeholder: '搜尋名稱、地址或警勤區代碼', 'aria-label': '搜尋', autocomplete: 'off',
    oninput: () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(run, 250);
    },
    onkeydown: (e: KeyboardEvent) => {
      if (e.key === 'Enter') (results.querySelector('button') as HTMLButtonElement | null)?.click();
      if (e.key === 'Escape') results.hidden = true;
    },
  });
  const pick = (hit: SearchHit) => {
    results.hidden = true;
    input.value = hit.label;
    const [w, s, e, n] = hit.bbox;
    map.fitBounds([[w, s], [e, n]], { padding: 60, maxZoom: 17, duration: 600 });
    onPick(hit);
  };
  async function run() {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      results.hidden = true;
      return;
    }
    const { results: hits } = await api.get<{ results: SearchHit[] }>(`/api/search?q=${encodeURIComponent(q)}&limit=12`);
    if (mine !== seq) return;
    results.replaceChildren(...(hits.length ? hits.map((hit) => {
      const layer = registry.get(hit.layer);
      const prop = layer?.properties.find((p) => p.name === hit.matched.property);
      return h('li', {}, h('button', { type: 'button', onclick: () => pick(hit) },
        h('span', { class: 'hit-layer' }, layer?.title ?? hit.layer),
        h('span', { class: 'hit-label' }, hit.label),
        hit.matched.value !== hit.label ? h('span', { class: 'hit-match' }, `${prop?.label ?? ''}：${hit.matched.value}`) : null));
    }) : [h('li', { class: 'empty' }, '查無符合的資料')]));
    results.hidden = false;
  }
  return h('div', { class: 'search-box' }, input, results);
}
