import type * as maplibregl from 'maplibre-gl';
import { h } from '../lib/dom.js';
import { openFormDialog } from '../lib/form-dialog.js';
import { formatDate, taiwanDate } from '../lib/format.js';
import type { LayerPanel } from './layer-panel.js';
import { formatDistance } from './measure.js';

export type Paper = 'A4' | 'A3';
export type Orientation = 'portrait' | 'landscape';

export interface PrintOptions { paper: Paper; orientation: Orientation; title: string }

/** Who the printout is for: the unit it names, and whether it carries police-only layers. */
export interface PrintContext { unit: string | null; restricted: boolean; demoNote: string | null }

const PAGE_STYLE = 'map-print-page';
/** Metres per pixel at the equator at zoom 0 for MapLibre's 512 px tiles. */
const EQUATOR_M_PER_PX = 40_075_016.686 / 512;

/** A round length for the scale bar, about a fifth of what the map spans. */
function scaleBar(map: maplibregl.Map): { metres: number; share: number } {
  const mPerPx = (EQUATOR_M_PER_PX * Math.cos((map.getCenter().lat * Math.PI) / 180)) / 2 ** map.getZoom();
  const spanM = mPerPx * map.getCanvas().clientWidth;
  const rough = spanM / 5;
  const step = 10 ** Math.floor(Math.log10(rough));
  const metres = [1, 2, 5, 10].map((f) => f * step).filter((m) => m <= rough).pop() ?? step;
  return { metres, share: metres / spanM };
}

/** The map as it is drawn now, as a PNG: drawn again at once, read before the buffer is cleared. */
function stillOf(map: maplibregl.Map): string {
  map.redraw();
  return map.getCanvas().toDataURL('image/png');
}

/**
 * The printed sheet of the map as shown: title, date, the unit, 「限公務使用」 where police
 * layers are on it, the map with a scale bar and a north arrow, the legend of the layers
 * switched on, and the sources credited. It prints alone (app.css hides the app while a sheet
 * is there), on the paper and the way round chosen.
 */
export function buildPrintSheet(map: maplibregl.Map, layers: LayerPanel, opts: PrintOptions, ctx: PrintContext): HTMLElement {
  document.querySelector('.map-print')?.remove();
  const bar = scaleBar(map);
  const bearing = map.getBearing();
  const legend = layers.legendsShown();
  const credits = map.getContainer().querySelector('.maplibregl-ctrl-attrib-inner')?.textContent ?? '';
  const sheet = h('section', { class: `map-print ${opts.orientation}`, 'aria-hidden': 'true' },
    h('header', { class: 'map-print-head' },
      h('div', {}, h('h1', {}, opts.title), h('p', {}, [formatDate(taiwanDate()), ctx.unit].filter(Boolean).join('・'))),
      ctx.restricted ? h('strong', { class: 'restricted' }, '限公務使用') : null),
    h('figure', { class: 'map-print-figure' },
      h('img', { src: stillOf(map), alt: opts.title }),
      h('div', { class: 'north-arrow', style: { transform: `rotate(${-bearing}deg)` } }, h('span', {}, '▲'), h('span', {}, '北')),
      h('div', { class: 'scale-bar' }, h('div', { class: 'scale-line', style: { width: `${(bar.share * 100).toFixed(2)}%` } }),
        h('span', {}, formatDistance(bar.metres)))),
    h('div', { class: 'map-print-legend' }, h('h2', {}, '圖例'), legend),
    h('footer', {}, ctx.demoNote ? h('p', {}, ctx.demoNote) : null, h('p', {}, `資料來源：${credits}`)));
  document.body.append(sheet);
  document.getElementById(PAGE_STYLE)?.remove();
  document.head.append(h('style', { id: PAGE_STYLE }, `@page { size: ${opts.paper} ${opts.orientation}; margin: 10mm; }`));
  document.body.classList.add('printing-map');
  return sheet;
}

/** Takes the sheet away after printing. */
export function removePrintSheet(): void {
  document.querySelector('.map-print')?.remove();
  document.getElementById(PAGE_STYLE)?.remove();
  document.body.classList.remove('printing-map');
}

/**
 * 「列印地圖」: asks paper, orientation and title, then prints the sheet. Ctrl+P on the map
 * prints the same sheet with the last choices (A4 landscape at first), never the panel and
 * the buttons.
 */
export function enableMapPrinting(map: maplibregl.Map, layers: LayerPanel, ctx: PrintContext, defaultTitle: string): () => void {
  let last: PrintOptions = { paper: 'A4', orientation: 'landscape', title: defaultTitle };
  let ours = false;
  window.addEventListener('beforeprint', () => { if (!ours) buildPrintSheet(map, layers, last, ctx); });
  window.addEventListener('afterprint', () => { ours = false; removePrintSheet(); });
  return () => {
    const paper = h('select', { name: 'paper' }, (['A4', 'A3'] as const).map((p) => h('option', { value: p, selected: p === last.paper }, p)));
    const orientation = h('select', { name: 'orientation' },
      ([['landscape', '橫式'], ['portrait', '直式']] as const).map(([v, label]) => h('option', { value: v, selected: v === last.orientation }, label)));
    const title = h('input', { name: 'title', value: last.title, maxlength: 60, required: true });
    openFormDialog({
      className: 'print-dialog', title: '列印地圖', submitLabel: '列印',
      fields: [h('label', { class: 'field' }, h('span', { class: 'field-label' }, '紙張'), paper),
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, '方向'), orientation),
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, '標題（上限 60 字）'), title)],
      submit: async () => {
        last = { paper: paper.value as Paper, orientation: orientation.value as Orientation, title: title.value.trim() || defaultTitle };
        // After the dialog has closed, so it is not printed over the sheet.
        setTimeout(() => {
          ours = true;
          buildPrintSheet(map, layers, last, ctx);
          window.print();
        }, 0);
      },
    });
  };
}
