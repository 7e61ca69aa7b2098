import { tableScroll } from '../lib/table-scroll.js';
import { h, replace } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';
import type { LayerInfo } from '../app/registry.js';
import type { RowReport, RowStatus } from './import-api.js';
import { issueText, type IssueText } from './issue-text.js';
import { STATUS } from './preview-map.js';

/** Rows a page of the table shows: a 100,000-row file is paged, never drawn whole. */
export const PAGE_SIZE = 100;

const ACTIONS: Record<string, string> = { create: '新增', update: '更新', unchanged: '不變', skip: '略過（可能重複）' };
const ORDER: Record<RowStatus, number> = { error: 0, warning: 1, ok: 2 };
type Filter = RowStatus | 'all';

/** What a row's cell of reasons says: its errors, then its warnings. */
const reasons = (r: RowReport, layer: LayerInfo | undefined): IssueText[] =>
  [...(r.errors ?? []), ...(r.warnings ?? [])].map((i) => issueText(i, layer));

/**
 * The report's rows, errors first, filterable by status and paged. Clicking a row with a place
 * calls `onPick` (the page flies the preview map there).
 */
export class RowTable {
  readonly element: HTMLElement;
  private rows: RowReport[] = [];
  private labels = new Map<number, string>();
  private layer: LayerInfo | undefined;
  private filter: Filter = 'all';
  private page = 0;
  private picked: number | null = null;
  private readonly filters = h('div', { class: 'chips row-filters', role: 'group', 'aria-label': '依狀態篩選' });
  private readonly body = h('tbody');
  private readonly pager = h('div', { class: 'pager' });

  /** `located` says whether a row has a place on the map; `onPick` goes there. */
  constructor(private readonly located: (row: number) => boolean, private readonly onPick: (row: number) => void) {
    this.element = h('section', { class: 'import-rows', 'aria-label': '逐列結果' },
      h('h2', {}, '逐列結果'), this.filters,
      tableScroll('逐列結果表',
        h('table', { class: 'compact row-table' },
          h('thead', {}, h('tr', {}, h('th', {}, '列'), h('th', {}, '狀態'), h('th', {}, '名稱'), h('th', {}, '動作'), h('th', {}, '警勤區'), h('th', {}, '說明'))),
          this.body)),
      this.pager);
  }

  /** Shows a report's rows; `labels` names them (from the preview: its features' labels by row), `layer` their properties. */
  show(rows: RowReport[], labels: Map<number, string>, layer: LayerInfo | undefined, filter: Filter = 'all'): void {
    this.layer = layer;
    this.labels = labels;
    this.rows = [...rows].sort((a, b) => ORDER[a.status] - ORDER[b.status] || a.row - b.row);
    this.filter = filter;
    this.page = 0;
    this.picked = null;
    this.render();
  }

  private shown(): RowReport[] {
    return this.filter === 'all' ? this.rows : this.rows.filter((r) => r.status === this.filter);
  }

  private render(): void {
    const count = (f: Filter) => (f === 'all' ? this.rows.length : this.rows.filter((r) => r.status === f).length);
    replace(this.filters, (['all', 'error', 'warning', 'ok'] as const).map((f) => h('button', {
      type: 'button', class: `chip${f === this.filter ? ' current' : ''}`, dataset: { status: f }, 'aria-pressed': String(f === this.filter),
      onclick: () => { this.filter = f; this.page = 0; this.render(); },
    }, `${f === 'all' ? '全部' : STATUS[f].label} ${formatNumber(count(f))}`)));

    const shown = this.shown();
    const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    this.page = Math.min(this.page, pages - 1);
    const first = this.page * PAGE_SIZE;
    const slice = shown.slice(first, first + PAGE_SIZE);
    replace(this.body, slice.length ? slice.map((r) => this.rowElement(r))
      : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, '沒有符合的列')));
    replace(this.pager,
      h('button', { type: 'button', class: 'small', disabled: this.page === 0, onclick: () => { this.page -= 1; this.render(); } }, '上一頁'),
      h('span', {}, shown.length ? `第 ${formatNumber(first + 1)}–${formatNumber(first + slice.length)} 筆，共 ${formatNumber(shown.length)} 筆` : '共 0 筆'),
      h('button', { type: 'button', class: 'small', disabled: this.page >= pages - 1, onclick: () => { this.page += 1; this.render(); } }, '下一頁'));
  }

  private rowElement(r: RowReport): HTMLElement {
    const located = this.located(r.row);
    const tr = h('tr', {
      class: `status-${r.status}${located ? '' : ' unlocated'}${r.row === this.picked ? ' picked' : ''}`, dataset: { row: String(r.row) },
      tabindex: located ? 0 : undefined, title: located ? '在地圖上顯示' : '此列沒有可顯示的位置',
      onclick: () => this.pick(r.row),
      onkeydown: (e: KeyboardEvent) => { if (e.key === 'Enter') this.pick(r.row); },
    },
    h('td', {}, String(r.row)),
    h('td', {}, h('span', { class: `status-mark ${r.status}` }, STATUS[r.status].label)),
    h('td', { class: 'label' }, this.labels.get(r.row) || '—'),
    h('td', {}, r.action ? ACTIONS[r.action] : '—'),
    h('td', {}, r.beat ?? '—'),
    // Long reasons (a choice list) are cut to two lines; the picked row shows them whole.
    h('td', { class: 'reasons' }, reasons(r, this.layer).map((m) => h('div', { title: m.detail }, h('b', {}, m.text), ' ', h('span', { class: 'detail' }, m.detail)))));
    return tr;
  }

  private pick(row: number): void {
    if (!this.located(row)) return;
    this.onPick(row);
    this.picked = row;
    for (const tr of this.body.querySelectorAll<HTMLElement>('tr')) tr.classList.toggle('picked', tr.dataset.row === String(row));
  }
}
