import { h } from './dom.js';

/**
 * A wide table in a box that scrolls sideways on a phone; the box takes the keyboard's focus and
 * is named, so the arrow keys scroll it and a screen reader says what it holds.
 */
export const tableScroll = (label: string, table: HTMLElement): HTMLElement =>
  h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': label }, table);
