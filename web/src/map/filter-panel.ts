import type * as maplibregl from 'maplibre-gl';
import type { LayerInfo, PropertyInfo, Registry } from '../app/registry.js';
import { h } from '../lib/dom.js';
import { taiwanDate, WEEKDAYS } from '../lib/format.js';
import type { TileFilters } from './tile-filters.js';

const DAY_MS = 86_400_000;

/** How far back police see incidents when their map opens: recent enough to act on. */
export const RECENT_INCIDENT_DAYS = 30;

/** A `datetime` filter from `days` ago (Taiwan date) on. */
export const lastDays = (days: number) => `${taiwanDate(new Date(Date.now() - days * DAY_MS))}/..`;

/** Checkboxes for the choices of one property; none ticked means no filter. */
function choiceFilter(layer: LayerInfo, prop: PropertyInfo, filters: TileFilters, changed: () => void): HTMLElement {
  // Choices set before the panel was built (by a share link) show as ticked.
  const given = new Set((filters.get(layer.id, prop.name) ?? '').split(',').filter(Boolean));
  const boxes = (prop.choices ?? []).map((c) => h('input', { type: 'checkbox', value: c.value, checked: given.has(c.value), onchange: () => update() }));
  const update = () => {
    const picked = boxes.filter((b) => b.checked).map((b) => b.value);
    filters.set(layer.id, prop.name, picked.length ? picked.join(',') : undefined);
    changed();
  };
  return h('fieldset', { class: 'filter-choices', dataset: { property: prop.name } },
    h('legend', {}, prop.label),
    (prop.choices ?? []).map((c, i) => h('label', {}, boxes[i], c.label)));
}

/** Date range, hours of the day and days of the week for a layer with a time. */
function timeFilter(layer: LayerInfo, filters: TileFilters, changed: () => void): HTMLElement {
  // A range set before the panel was built (the opening view's 近 30 天) shows as set.
  const [given, until] = (filters.get(layer.id, 'datetime') ?? '').split('/');
  const from = h('input', { type: 'date', name: 'from', value: given && given !== '..' ? given : '', onchange: () => update() });
  const to = h('input', { type: 'date', name: 'to', value: until && until !== '..' ? until : '', onchange: () => update() });
  const hour = (name: string, initial: number) => h('select', { name, onchange: () => update() },
    Array.from({ length: 24 }, (_, i) => h('option', { value: String(i), selected: i === initial }, `${i} 時`)));
  const [h0, h1] = (filters.get(layer.id, 'hour') ?? '0-23').split('-').map(Number);
  const fromHour = hour('fromHour', h0 ?? 0);
  const toHour = hour('toHour', h1 ?? 23);
  const givenDays = new Set((filters.get(layer.id, 'weekday') ?? '').split(','));
  const days = WEEKDAYS.map((d, i) => h('input', { type: 'checkbox', value: String(i + 1), title: `星期${d}`, checked: givenDays.has(String(i + 1)), onchange: () => update() }));
  const update = () => {
    const range = from.value || to.value ? `${from.value || '..'}/${to.value || '..'}` : undefined;
    filters.set(layer.id, 'datetime', range);
    const allDay = fromHour.value === '0' && toHour.value === '23';
    filters.set(layer.id, 'hour', allDay ? undefined : `${fromHour.value}-${toHour.value}`);
    const picked = days.filter((d) => d.checked).map((d) => d.value);
    filters.set(layer.id, 'weekday', picked.length ? picked.join(',') : undefined);
    changed();
  };
  const preset = (label: string, days: number | null) => h('button', {
    type: 'button', class: 'chip',
    onclick: () => {
      from.value = days === null ? '' : taiwanDate(new Date(Date.now() - days * DAY_MS));
      to.value = '';
      update();
    },
  }, label);
  return h('fieldset', { class: 'filter-time' },
    h('legend', {}, '時間'),
    h('div', { class: 'chips' }, preset('近 7 天', 7), preset('近 30 天', 30), preset('近 90 天', 90), preset('全部', null)),
    h('label', {}, '自', from), h('label', {}, '至', to),
    h('div', { class: 'hours' }, h('span', {}, '時段'), fromHour, h('span', {}, '到'), toHour),
    h('p', { class: 'legend-note' }, '可跨午夜，如 22 時到 2 時'),
    h('div', { class: 'weekdays' }, h('span', {}, '星期'), WEEKDAYS.map((d, i) => h('label', {}, days[i], d))));
}

/**
 * Filters for every tiled layer, generated from the registry: each choice property (category,
 * status, incident type, …) and, for layers with a time, date range, hours and weekdays.
 */
export function filterPanel(map: maplibregl.Map, registry: Registry, filters: TileFilters): HTMLElement {
  let pending: number | undefined;
  const groups: HTMLElement[] = [];
  for (const layer of registry.layers.filter((l) => l.tiles)) {
    const choices = layer.properties.filter((p) => p.type === 'enum' && !p.derived && p.choices?.length);
    if (choices.length === 0 && !layer.temporal) continue;
    const badge = h('span', { class: 'badge', hidden: filters.count(layer.id) === 0 }, String(filters.count(layer.id)));
    const changed = () => {
      const n = filters.count(layer.id);
      badge.hidden = n === 0;
      badge.textContent = String(n);
      // Ticking several boxes in a row asks for the tiles once.
      window.clearTimeout(pending);
      pending = window.setTimeout(() => filters.apply(map), 250);
    };
    groups.push(h('details', { class: 'filter-group', dataset: { layer: layer.id } },
      h('summary', {}, layer.title, badge),
      layer.temporal ? timeFilter(layer, filters, changed) : null,
      choices.map((p) => choiceFilter(layer, p, filters, changed))));
  }
  return h('section', { class: 'panel-section filters', 'aria-label': '篩選' }, h('h2', {}, '篩選'), groups);
}
