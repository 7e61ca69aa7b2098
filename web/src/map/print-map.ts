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

/** A round length for the scale bar, about a fifth of what the map spans, and its length in CSS pixels. */
function scaleBar(map: maplibregl.Map): { metres: number; px: number } {
  const mPerPx = (EQUATOR_M_PER_PX * Math.cos((map.getCenter().lat * Math.PI) / 180)) / 2 ** map.getZoom();
  const rough = (mPerPx * map.getCanvas().clientWidth) / 5;
  const step = 10 ** Math.floor(Math.log10(rough));
  const metres = [1, 2, 5, 10].map((f) => f * step).filter((m) => m <= rough).pop() ?? step;
  return { metres, px: metres / mPerPx };
}

/**
 * The map as it is drawn now, as a PNG, with its scale bar and north arrow drawn into the image
 * itself, so they keep the map's scale however the sheet scales the picture. Drawn again at once
 * and read before WebGL clears its buffer.
 */
function stillOf(map: maplibregl.Map): { url: string; bar: { metres: number; px: number; width: number } } {
  map.redraw();
  const source = map.getCanvas();
  const ratio = source.width / source.clientWidth;
  const canvas = document.createElement('canvas');
  canvas.width = source.width;
  canvas.height = source.height;
  const c = canvas.getContext('2d')!;
  c.drawImage(source, 0, 0);
  const bar = scaleBar(map);
  const len = Math.round(bar.px * ratio);
  const pad = Math.round(12 * ratio);
  const y = canvas.height - pad - Math.round(8 * ratio);
  // The bar: black and white halves under a white band for the label, as on a paper map.
  c.fillStyle = '#ffffff';
  c.fillRect(pad - 4 * ratio, y - 22 * ratio, len + 8 * ratio, 34 * ratio);
  c.fillStyle = '#000000';
  c.fillRect(pad, y, len, Math.round(6 * ratio));
  c.fillStyle = '#ffffff';
  c.fillRect(pad + len / 2, y + ratio, len / 2 - ratio, Math.round(4 * ratio));
  c.fillStyle = '#000000';
  c.font = `${Math.round(12 * ratio)}px ${getComputedStyle(document.body).fontFamily}`;
  c.textBaseline = 'bottom';
  c.fillText(formatDistance(bar.metres), pad, y - 3 * ratio);
  // The north arrow, turned with the map.
  const cx = canvas.width - 28 * ratio;
  const cy = 32 * ratio;
  c.save();
  c.translate(cx, cy);
  c.fillStyle = '#ffffff';
  c.beginPath();
  c.arc(0, 0, 18 * ratio, 0, Math.PI * 2);
  c.fill();
  c.strokeStyle = '#000000';
  c.lineWidth = ratio;
  c.stroke();
  c.rotate((-map.getBearing() * Math.PI) / 180);
  c.fillStyle = '#000000';
  c.beginPath();
  c.moveTo(0, -14 * ratio);
  c.lineTo(6 * ratio, 2 * ratio);
  c.lineTo(-6 * ratio, 2 * ratio);
  c.closePath();
  c.fill();
  c.font = `bold ${Math.round(10 * ratio)}px ${getComputedStyle(document.body).fontFamily}`;
  c.textAlign = 'center';
  c.textBaseline = 'top';
  c.fillText('北', 0, 3 * ratio);
  c.restore();
  return { url: canvas.toDataURL('image/png'), bar: { metres: bar.metres, px: len, width: canvas.width } };
}

/**
 * The printed sheet of the map as shown: title, date, the unit, 「限公務使用」 where police
 * layers are on it, the map with a scale bar and a north arrow, the legend of the layers
 * switched on, and the sources credited. It prints alone (app.css hides the app while a sheet
 * is there), on the paper and the way round chosen.
 */
export function buildPrintSheet(map: maplibregl.Map, layers: LayerPanel, opts: PrintOptions, ctx: PrintContext): HTMLElement {
  document.querySelector('.map-print')?.remove();
  const still = stillOf(map);
  const legend = layers.legendsShown();
  const credits = map.getContainer().querySelector('.maplibregl-ctrl-attrib-inner')?.textContent ?? '';
  const sheet = h('section', { class: `map-print ${opts.orientation}`, 'aria-hidden': 'true' },
    h('header', { class: 'map-print-head' },
      h('div', {}, h('h1', {}, opts.title), h('p', {}, [formatDate(taiwanDate()), ctx.unit].filter(Boolean).join('・'))),
      ctx.restricted ? h('strong', { class: 'restricted' }, '限公務使用') : null),
    h('figure', { class: 'map-print-figure' },
      // What the bar drawn in the image stands for, for checking: its metres, its and the image's pixels.
      h('img', { src: still.url, alt: opts.title, dataset: { scaleMetres: String(still.bar.metres), scalePx: String(still.bar.px), imageWidth: String(still.bar.width) } })),
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
