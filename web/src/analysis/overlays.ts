import type * as maplibregl from 'maplibre-gl';
import type { ExpressionSpecification as Expression, GeoJSONSource } from 'maplibre-gl';
import { destination } from '@turf/turf';
import type { Feature as GeoFeature } from 'geojson';
import { h } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';
import type { LayerPanel } from '../map/layer-panel.js';
import { firstOfParts, labelFonts } from '../map/map.js';
import { BINS, type Density, FORECAST_METHOD_NAMES, type Forecast, type HotSpots, type NewSites, type Reaim } from './analysis-api.js';

const EMPTY = { type: 'FeatureCollection' as const, features: [] as GeoFeature[] };
const DENSITY_COLOURS = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];
/** The method behind a figure, folded under 說明: plain words first, the statistics for who asks. */
export const explain = (text: string) => h('details', { class: 'explain' }, h('summary', {}, '說明'), h('p', { class: 'legend-note' }, text));

/** Suggestions stand apart from the green of the cameras' own coverage: blue turns, violet new sites. */
const REAIM_COLOUR = '#3a86ff';
const REAIM_ARROW = '#1d3557';
const SITE_COLOUR = '#9d4edd';
const SITE_POINT = '#5a189a';
/** Forecast squares drawn over the hot spots' reds and the map's ground: a dark wine outline. */
const FORECAST_OUTLINE = '#67000d';

const legendList = (items: { colour: string; label: string; outline?: boolean }[]) => h('ul', { class: 'legend single' },
  items.map((i) => h('li', {}, h('span', { class: `swatch ${i.outline ? 'ring' : 'square'}`, style: i.outline ? { borderColor: i.colour } : { background: i.colour } }), i.label)));

/** Quantile breaks of the positive values, for a five-class density map. */
function breaks(values: number[]): number[] {
  const v = values.filter((x) => x > 0).sort((a, b) => a - b);
  if (v.length === 0) return [];
  return [0.2, 0.4, 0.6, 0.8].map((q) => v[Math.min(v.length - 1, Math.floor(q * v.length))]!).filter((x, i, a) => i === 0 || x > a[i - 1]!);
}

/**
 * What analyses draw on the map: hot-spot or density cells beneath the points, re-aim arrows and
 * suggested camera sites on top. Each is an entry of the layer list with its own legend.
 */
export class AnalysisOverlays {
  constructor(private readonly map: maplibregl.Map, private readonly panel: LayerPanel) {
    map.addSource('analysis-cells', { type: 'geojson', data: EMPTY });
    // Cells go beneath the points and labels, so these stay on top.
    const below = firstOfParts(map, ['heat', 'clusters', 'points', 'labels']);
    map.addLayer({ id: 'analysis-cells', type: 'fill', source: 'analysis-cells', paint: { 'fill-color': '#000000', 'fill-opacity': 0.6 } }, below);
    map.addLayer({ id: 'analysis-cells-outline', type: 'line', source: 'analysis-cells', paint: { 'line-color': '#ffffff', 'line-width': 0.3, 'line-opacity': 0.6 } }, below);
    // Forecast squares as outlines, so that they can lie over the published hot spots' fills.
    map.addSource('analysis-forecast', { type: 'geojson', data: EMPTY });
    // A white casing beneath the wine outline keeps it visible on dark ground (photo basemaps) too.
    map.addLayer({ id: 'analysis-forecast-casing', type: 'line', source: 'analysis-forecast', paint: { 'line-color': '#ffffff', 'line-width': 4.5 } }, below);
    map.addLayer({ id: 'analysis-forecast', type: 'line', source: 'analysis-forecast', paint: { 'line-color': FORECAST_OUTLINE, 'line-width': 2.5 } }, below);
    map.addSource('analysis-reaim', { type: 'geojson', data: EMPTY });
    map.addLayer({ id: 'analysis-reaim-suggested', type: 'fill', source: 'analysis-reaim', filter: ['==', ['get', 'view'], 'suggested'],
      paint: { 'fill-color': REAIM_COLOUR, 'fill-opacity': 0.35 } });
    map.addLayer({ id: 'analysis-reaim-current', type: 'line', source: 'analysis-reaim', filter: ['==', ['get', 'view'], 'current'],
      paint: { 'line-color': '#555555', 'line-width': 1.5, 'line-dasharray': [2, 2] } });
    map.addLayer({ id: 'analysis-reaim-arrows', type: 'line', source: 'analysis-reaim', filter: ['==', ['get', 'kind'], 'arrow'],
      layout: { 'line-cap': 'round', 'line-join': 'round' }, paint: { 'line-color': REAIM_ARROW, 'line-width': 3 } });
    map.addSource('analysis-sites', { type: 'geojson', data: EMPTY });
    map.addLayer({ id: 'analysis-sites-sectors', type: 'fill', source: 'analysis-sites', filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': SITE_COLOUR, 'fill-opacity': 0.3, 'fill-outline-color': SITE_POINT } });
    map.addLayer({ id: 'analysis-sites-points', type: 'circle', source: 'analysis-sites', filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 11, 'circle-color': SITE_POINT, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
    map.addLayer({ id: 'analysis-sites-ranks', type: 'symbol', source: 'analysis-sites', filter: ['==', ['geometry-type'], 'Point'],
      layout: { 'text-field': ['to-string', ['get', 'rank']], 'text-size': 12, 'text-allow-overlap': true, 'text-font': labelFonts(map) },
      paint: { 'text-color': '#ffffff' } });
  }

  private set(source: string, data: GeoJSON.FeatureCollection): void {
    (this.map.getSource(source) as GeoJSONSource).setData(data);
  }

  showHotSpots(result: HotSpots, fdr: boolean): void {
    const key = fdr ? 'binFdr' : 'bin';
    const tally = fdr ? result.analysis.binsFdr : result.analysis.bins;
    this.map.setPaintProperty('analysis-cells', 'fill-color', ['match', ['get', key], ...BINS.flatMap((b) => [b.bin, b.colour]), '#f7f7f7'] as unknown as Expression);
    // Only significant cells are drawn: the rest of the grid would hide the map under a net.
    this.map.setPaintProperty('analysis-cells', 'fill-opacity', ['case', ['==', ['get', key], 0], 0, 0.65]);
    this.map.setFilter('analysis-cells-outline', ['!=', ['get', key], 0]);
    this.set('analysis-cells', result);
    this.panel.setOverlay({
      id: 'analysis-cells', title: '熱點（案件比周圍明顯多的網格）', layerIds: ['analysis-cells', 'analysis-cells-outline'], visible: true,
      legend: h('div', { class: 'legend-block' },
        legendList(BINS.map((b) => ({ colour: b.colour, label: `${b.label}　${formatNumber(tally[String(b.bin)] ?? 0)} 格` }))),
        explain(`每格 ${result.analysis.cellSize} 公尺見方，與周圍 ${formatNumber(result.analysis.band)} 公尺內的網格比較。統計方法：Getis-Ord Gi*；`
          + `${BINS.filter((b) => b.bin !== 0).map((b) => `${b.label}為${b.detail}`).join('、')}${fdr ? '；已依網格數校正多重比較（FDR），減少偶然出現的熱點' : ''}。`)),
    });
  }

  /** Forecast hot cells, the first quarter of them darker; every cell drawn is flagged. */
  showForecast(result: Forecast): void {
    const top = Math.ceil(result.features.length / 4);
    this.map.setPaintProperty('analysis-cells', 'fill-color', ['case', ['<=', ['get', 'rank'], top], BINS[0].colour, BINS[1].colour] as unknown as Expression);
    this.map.setPaintProperty('analysis-cells', 'fill-opacity', 0.65);
    this.map.setFilter('analysis-cells-outline', null);
    this.set('analysis-cells', result);
    const name = FORECAST_METHOD_NAMES[result.method];
    this.panel.setOverlay({
      id: 'analysis-cells', title: `預測熱點（未來 ${result.analysis.horizonDays} 天）`, layerIds: ['analysis-cells', 'analysis-cells-outline'], visible: true,
      legend: h('div', { class: 'legend-block' },
        result.features.length
          ? legendList([{ colour: BINS[0].colour, label: `最可能的四分之一　${formatNumber(top)} 格` },
            { colour: BINS[1].colour, label: `其餘預測熱點　${formatNumber(result.features.length - top)} 格` }])
          : h('p', { class: 'legend-note' }, '沒有預測熱點。'),
        explain(`每格 ${result.analysis.cellSize} 公尺見方；標出預期案件最多的 ${formatNumber(result.analysis.share * 100, 1)}% 網格。方法：${name?.label ?? result.method}（${name?.plain ?? ''}）。`)),
    });
  }

  /** Forecast squares as outlines over whatever else is shown (the community's published hot spots). */
  showForecastOutlines(result: Forecast, title: string): void {
    this.set('analysis-forecast', result);
    const name = FORECAST_METHOD_NAMES[result.method];
    this.panel.setOverlay({
      id: 'analysis-forecast', title, layerIds: ['analysis-forecast-casing', 'analysis-forecast'], visible: true,
      legend: h('div', { class: 'legend-block' },
        h('ul', { class: 'legend single' }, h('li', {},
          h('span', { class: 'swatch square', style: { background: 'transparent', border: `2px solid ${FORECAST_OUTLINE}`, boxShadow: '0 0 0 1px #ffffff' } }),
          `${formatNumber(result.features.length)} 格`)),
        explain(`每格 ${result.analysis.cellSize} 公尺見方；方法：${name?.label ?? result.method}（${name?.plain ?? ''}）。`)),
    });
  }

  /** Takes the forecast squares off the map and out of the layer list (a new view is being asked for). */
  clearForecast(): void {
    this.set('analysis-forecast', EMPTY);
    this.panel.removeOverlay('analysis-forecast');
  }

  showDensity(result: Density): void {
    const values = result.features.map((f) => f.properties.density ?? 0);
    const b = breaks(values);
    const colour = b.length ? ['step', ['coalesce', ['get', 'density'], 0], DENSITY_COLOURS[0]!, ...b.flatMap((x, i) => [x, DENSITY_COLOURS[i + 1]!])] : DENSITY_COLOURS[0]!;
    this.map.setPaintProperty('analysis-cells', 'fill-color', colour as unknown as Expression);
    this.map.setPaintProperty('analysis-cells', 'fill-opacity', ['case', ['>', ['coalesce', ['get', 'density'], 0], 0], 0.6, 0]);
    this.map.setFilter('analysis-cells-outline', null);
    this.set('analysis-cells', { ...result, features: result.features.filter((f) => (f.properties.density ?? 0) > 0) });
    const bounds = [0, ...b];
    this.panel.setOverlay({
      id: 'analysis-cells', title: '案件密度（每平方公里件數）', layerIds: ['analysis-cells', 'analysis-cells-outline'], visible: true,
      legend: h('div', { class: 'legend-block' },
        legendList(bounds.map((x, i) => ({ colour: DENSITY_COLOURS[i]!, label: i < b.length ? `${formatNumber(x, 1)}–${formatNumber(bounds[i + 1]!, 1)} 件` : `${formatNumber(x, 1)} 件以上` }))),
        explain(`每個位置計入周圍 ${result.analysis.bandwidth} 公尺內的案件，越近權重越高（四次核密度估計）。`)),
    });
  }

  showReaim(result: Reaim): void {
    const arrows = result.features.filter((f) => f.properties.changed).map((f): GeoFeature => {
      const from = (f.geometry as GeoJSON.Point).coordinates as [number, number];
      const km = f.properties.range_m / 1000;
      const az = f.properties.suggestedAzimuth;
      const tip = destination(from, km, az).geometry.coordinates;
      const barb = (side: number) => destination(tip as [number, number], km * 0.25, az + 180 + side).geometry.coordinates;
      return { type: 'Feature', geometry: { type: 'MultiLineString', coordinates: [[from, tip], [barb(-25), tip, barb(25)]] },
        properties: { kind: 'arrow', camera_id: f.properties.id } };
    });
    this.set('analysis-reaim', { type: 'FeatureCollection', features: [...result.sectors.features, ...arrows] as GeoFeature[] });
    this.panel.setOverlay({
      id: 'analysis-reaim', title: '鏡頭調整建議', layerIds: ['analysis-reaim-suggested', 'analysis-reaim-current', 'analysis-reaim-arrows'], visible: true,
      legend: h('div', { class: 'legend-block' }, legendList([
        { colour: REAIM_COLOUR, label: '建議方向的可視範圍' }, { colour: '#555555', label: '目前可視範圍', outline: true }, { colour: REAIM_ARROW, label: '建議轉向' }])),
    });
  }

  showSites(result: NewSites): void {
    this.set('analysis-sites', { type: 'FeatureCollection', features: [...result.sectors.features, ...result.features] as GeoFeature[] });
    this.panel.setOverlay({
      id: 'analysis-sites', title: '新設監視器建議', layerIds: ['analysis-sites-sectors', 'analysis-sites-points', 'analysis-sites-ranks'], visible: true,
      legend: h('div', { class: 'legend-block' }, legendList([{ colour: SITE_POINT, label: '建議位置（依效益排序）' }, { colour: SITE_COLOUR, label: '建議方向的可視範圍' }])),
    });
  }
}
