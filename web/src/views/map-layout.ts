import { h } from '../lib/dom.js';

/**
 * A side panel beside a full-size map. On a phone the panel is a sheet over the map's lower
 * part, opened and closed by a button, so controls never cover each other.
 */
export function mapLayout(main: HTMLElement): { panel: HTMLElement; mapElement: HTMLElement } {
  main.classList.add('map-layout');
  const panel = h('aside', { class: 'side-panel', id: 'side-panel' });
  const mapElement = h('div', { class: 'map', id: 'map' });
  const toggle = h('button', {
    type: 'button', class: 'panel-toggle', 'aria-controls': 'side-panel', 'aria-expanded': 'false',
    onclick: () => {
      const open = main.classList.toggle('panel-open');
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? '關閉面板' : '圖層・篩選';
    },
  }, '圖層・篩選');
  main.append(panel, h('div', { class: 'map-wrap' }, mapElement, toggle));
  return { panel, mapElement };
}
