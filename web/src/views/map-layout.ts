import { h } from '../lib/dom.js';

/** How far a phone's sheet is open: a third of the screen while working on the map, half, or all of it. */
export type SheetState = 'closed' | 'peek' | 'half' | 'full';

/** The share of the map a sheet covers in each state (app.css sets the same heights). */
const SHEET_HEIGHTS: Record<SheetState, number> = { closed: 0, peek: 0.4, half: 0.5, full: 1 };

/** Phones show the panel as a sheet (app.css uses the same width). */
const PHONE = window.matchMedia('(max-width: 720px)');

/**
 * The side panel of a map page. On a desktop it stands beside the map; on a phone it is a sheet
 * over the map's lower part with a closed, peek, half and full state, which opens itself when
 * something in it needs the user (an edit form, a notice), so no button seems to do nothing.
 */
export class Sheet {
  private readonly grow = h('button', { type: 'button', class: 'sheet-grow', onclick: () => this.set(this.state === 'full' ? 'half' : 'full') });
  private readonly close = h('button', { type: 'button', class: 'sheet-close', 'aria-label': '關閉面板', onclick: () => this.set('closed') }, '✕');
  readonly toggle = h('button', {
    type: 'button', class: 'panel-toggle', 'aria-controls': 'side-panel', 'aria-expanded': 'false', onclick: () => this.set('half'),
  }, '圖層・篩選');
  readonly grip = h('div', { class: 'sheet-grip' }, this.grow, this.close);
  private state: SheetState = 'closed';

  constructor(private readonly layout: HTMLElement, private readonly panel: HTMLElement) {
    this.set('closed');
  }

  get current(): SheetState { return this.state; }

  /**
   * How much of the map's height the sheet covers in a state (the current one by default): what
   * a view keeps clear when it fits something on the map. Nothing on a desktop.
   */
  covers(state: SheetState = this.state): number {
    if (!PHONE.matches) return 0;
    return this.layout.clientHeight * SHEET_HEIGHTS[state];
  }

  set(state: SheetState): void {
    this.state = state;
    this.layout.dataset.sheet = state;
    this.layout.classList.toggle('panel-open', state !== 'closed');
    this.toggle.setAttribute('aria-expanded', String(state !== 'closed'));
    this.grow.textContent = state === 'full' ? '縮小' : '展開';
    this.grow.setAttribute('aria-label', state === 'full' ? '縮小面板' : '展開面板');
  }

  /**
   * Brings an element of the panel into view: on a phone the sheet opens (at least to `state`)
   * and scrolls to it; on a desktop the panel scrolls to it.
   */
  reveal(el: HTMLElement, state: Exclude<SheetState, 'closed'> = 'half'): void {
    if (PHONE.matches && (this.state === 'closed' || (this.state === 'peek' && state !== 'peek'))) this.set(state);
    // After the sheet has its height, so the scroll lands where the user will look.
    requestAnimationFrame(() => {
      this.panel.scrollTo({ top: Math.max(0, el.offsetTop - this.panel.offsetTop - this.grip.offsetHeight), behavior: 'smooth' });
    });
  }
}

export interface MapLayout {
  panel: HTMLElement;
  mapElement: HTMLElement;
  /** Room over the map for what floats on it (notices, the map's own buttons). */
  mapWrap: HTMLElement;
  sheet: Sheet;
}

/** A side panel beside a full-size map (a sheet on a phone, see Sheet). */
export function mapLayout(main: HTMLElement): MapLayout {
  main.classList.add('map-layout');
  const panel = h('aside', { class: 'side-panel', id: 'side-panel', 'aria-label': '圖層與工具' });
  const mapElement = h('div', { class: 'map', id: 'map' });
  const sheet = new Sheet(main, panel);
  panel.append(sheet.grip);
  const mapWrap = h('div', { class: 'map-wrap' }, mapElement, sheet.toggle);
  main.append(panel, mapWrap);
  return { panel, mapElement, mapWrap, sheet };
}
