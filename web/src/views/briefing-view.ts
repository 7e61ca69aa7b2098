import type * as maplibregl from 'maplibre-gl';
import { bbox, booleanPointInPolygon, centroid } from '@turf/turf';
import { toPng } from 'html-to-image';
import type { AppContext } from '../app/context.js';
import { choiceLabel, type LayerInfo } from '../app/registry.js';
import { analysis, BINS, FORECAST_METHOD_NAMES, type Forecast, type HotHours, type NearRepeatWarnings } from '../analysis/analysis-api.js';
import { emptyHourWeek, hotHours as busiest, hourWeekChart } from '../charts/hour-week-chart.js';
import { visitOrder } from '../briefing/places.js';
import { openVisitDialog } from '../edit/visit-dialog.js';
import { h, replace } from '../lib/dom.js';
import { formatDate, formatDateTime, taiwanDate, WEEKDAYS } from '../lib/format.js';
import { unitName } from '../map/display-names.js';
import { listFeatures, type Feature } from '../map/features.js';
import { searchBox } from '../map/search-box.js';
import { iconDataUrl } from '../map/icons.js';
import { swatchOf } from '../map/layer-panel.js';
import { createMap, exposeForAutomation, firstOfParts } from '../map/map.js';
import { TileFilters } from '../map/tile-filters.js';
import { planLine, todaysPlan, type PlanItem } from '../patrol/plans.js';

const DAYS = 30;
/**
 * Forecast hot cells of the beat: 100 m cells where the most incidents are expected in the
 * coming week, from the station's last year, by the method that year recommends (the top 5 %
 * of the station's cells; those in the beat are shown).
 */
const HOT_CELL_M = 100;
const FORECAST = { history: 365, horizon: 7, share: 0.05 };
/** Rows each list keeps so that the briefing stays one A4 page; the rest are counted. */
const LIMITS = { places: 12, cameras: 6, blocks: 5 };

interface Beat { code: string; name: string; station_code: string; precinct_code: string; officer_name?: string; geometry: GeoJSON.Geometry }

const more = (n: number, what: string) => (n > 0 ? h('p', { class: 'more' }, `另有 ${n} ${what}，請見電子地圖`) : null);

const beatOf = (f: Feature): Beat => ({ ...(f.properties as unknown as Beat), geometry: f.geometry! });

/** The beats an account may brief on: its precinct's for police of a precinct, all for the bureau. */
const beatScope = (ctx: AppContext): Record<string, string> => (ctx.me.precinctCode ? { precinct_code: ctx.me.precinctCode } : {});

/** One beat the account may brief on, by code; the first of its beats when there is no such one. */
async function chosenBeat(ctx: AppContext, code: string | null): Promise<Beat | undefined> {
  const [f] = code ? await listFeatures('beats', { ...beatScope(ctx), code }, 1) : [];
  if (f) return beatOf(f);
  const all = await listFeatures('beats', beatScope(ctx), 5000);
  return all.map(beatOf).sort((a, b) => a.code.localeCompare(b.code))[0];
}

/**
 * The picker's other beats, by station name (「第1警勤區」 repeats in every station), filled in
 * once the sheet is drawn: on mobile data the briefing comes first.
 */
async function fillBeatPicker(ctx: AppContext, picker: HTMLSelectElement, current: Beat): Promise<void> {
  const beats = (await listFeatures('beats', beatScope(ctx), 5000)).map(beatOf).sort((a, b) => a.code.localeCompare(b.code));
  const stations = [...new Set(beats.map((b) => b.station_code))];
  const names = new Map(await Promise.all(stations.map(async (c) => [c, await unitName(c)] as const)));
  replace(picker, stations.map((st) => h('optgroup', { label: names.get(st) ?? st },
    beats.filter((b) => b.station_code === st).map((b) => h('option', { value: b.code, selected: b.code === current.code }, b.name)))));
}

/**
 * The officer's 勤前簡報: one beat on one A4 page — the map fitted to it, key places by how
 * overdue their visit is, cameras out of order, the last 30 days' incidents with their hot
 * hours, and the watch blocks with their contacts. Printed as it is shown, or saved as PNG.
 */
export async function briefingView(ctx: AppContext, main: HTMLElement, tools: HTMLElement): Promise<void> {
  main.classList.add('sheet-page');
  const beat = await chosenBeat(ctx, new URLSearchParams(location.search).get('beat') ?? ctx.me.beatCode);
  if (!beat) {
    replace(main, h('p', { class: 'notice' }, '沒有可簡報的警勤區。'));
    return;
  }
  const stationName = await unitName(beat.station_code);
  const picker = h('select', { name: 'beat', 'aria-label': '警勤區', onchange: () => location.assign(`/briefing?beat=${encodeURIComponent(picker.value)}`) },
    h('option', { value: beat.code, selected: true }, `${stationName}${beat.name}`));
  const sheet = h('article', { class: 'sheet', id: 'briefing-sheet' });
  const status = h('span', { class: 'legend-note', role: 'status' });
  const toolbar = h('div', { class: 'sheet-toolbar no-print' },
    h('label', {}, '警勤區 ', picker),
    h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, '列印'),
    h('button', { type: 'button', class: 'secondary', onclick: () => void savePng(sheet, beat.code, status) }, '另存 PNG'),
    status);
  main.append(toolbar, sheet);
  const map = await renderBriefing(ctx, sheet, beat, stationName);
  // Places near the beat (an address on the list, a neighbouring 村里) are found on its map.
  tools.append(searchBox(map, ctx.registry));
  map.once('idle', () => void fillBeatPicker(ctx, picker, beat));
}

async function renderBriefing(ctx: AppContext, sheet: HTMLElement, beat: Beat, stationName: string): Promise<maplibregl.Map> {
  const { registry } = ctx;
  const since = taiwanDate(new Date(Date.now() - DAYS * 86_400_000));
  // The map is made while the lists are fetched, not after.
  const mapBox = h('div', { class: 'map' });
  const snapshot = h('img', { class: 'map-snapshot', alt: `${beat.name}地圖` });
  const sheetMap = h('div', { class: 'sheet-map' }, mapBox, snapshot);
  sheet.append(sheetMap);
  const mapReady = briefingMap(ctx, mapBox, snapshot, beat, since);
  const scope = { beat_code: beat.code };
  const internal = registry.get('incidents') !== undefined;
  const [stations, places, cameras, incidents, blocks, teams, hours, spots, plan, repeats] = await Promise.all([
    listFeatures('stations', { code: beat.station_code }, 1),
    registry.get('key-places') ? listFeatures('key-places', scope, 2000) : Promise.resolve([]),
    registry.get('cameras') ? listFeatures('cameras', { ...scope, status: 'broken,offline' }, 2000) : Promise.resolve([]),
    registry.get('incidents') ? listFeatures('incidents', { ...scope, datetime: `${since}/..` }) : Promise.resolve([]),
    registry.get('watch-blocks') ? listFeatures('watch-blocks', scope, 500) : Promise.resolve([]),
    registry.get('watch-teams') && beat.precinct_code ? listFeatures('watch-teams', { precinct_code: beat.precinct_code }, 500) : Promise.resolve([]),
    internal ? analysis.hotHours({ beat: beat.code, datetime: `${since}/..` }) : Promise.resolve(null),
    // A forecast wants more than a month of incidents, and an area larger than one beat to
    // learn from: the beat's station, whose cells in the beat are kept.
    internal ? analysis.forecast({ station: beat.station_code, cellSize: HOT_CELL_M, ...FORECAST })
      .then((r) => inBeat(r, beat)).catch(() => null) : Promise.resolve(null),
    // The station's approved 熱時熱點 plan, today's places (a briefing prints without it if it cannot be read).
    internal ? todaysPlan(beat.station_code).catch(() => null) : Promise.resolve(null),
    internal ? analysis.nearRepeatWarnings({ beat: beat.code }).catch(() => null) : Promise.resolve(null),
  ]);
  const station = stations[0]?.properties;
  const placeList = h('div', {});
  const redraw = () => void listFeatures('key-places', scope, 2000).then((p) => replace(placeList, placesTable(ctx, p, redraw)));
  replace(placeList, placesTable(ctx, places, redraw));
  sheet.prepend(
    h('header', { class: 'sheet-head' },
      h('h1', {}, `勤前簡報　${stationName}${beat.name}`),
      h('p', {}, [station ? `${String(station.name)}${station.phone ? `（${String(station.phone)}）` : ''}` : beat.station_code,
        beat.officer_name ? `警勤區員警 ${beat.officer_name}` : null, `製表 ${formatDateTime(new Date().toISOString())}`].filter(Boolean).join('・'))),
  );
  sheet.append(
    sheetLegend(ctx, places, incidents, blocks, (spots?.features.length ?? 0) > 0, plan !== null),
    h('div', { class: 'sheet-grid' },
      h('section', { class: 'places' }, h('h2', {}, `治安重點處所（${places.length} 處）`), placeList),
      h('section', { class: 'incidents' }, incidentSummary(registry.get('incidents'), incidents, hours, spots),
        repeats?.warning && repeats.incidents.length ? nearRepeatList(registry.get('incidents'), repeats) : null,
        plan ? h('div', { class: 'todays-plan' }, h('h3', {}, `今日熱時熱點巡邏（${plan.plan.station.name}核定）`),
          h('ul', {}, plan.items.map((i) => h('li', {}, planLine(i))))) : null),
      h('section', { class: 'cameras' }, h('h2', {}, `故障・離線監視器（${cameras.length} 支）`), camerasList(registry.get('cameras'), cameras)),
      h('section', { class: 'blocks' }, h('h2', {}, `守望相助治安區塊（${blocks.length} 處）`), blocksList(registry.get('watch-blocks'), blocks, teams))));
  const map = await mapReady;
  if (spots) showHotCells(map, spots);
  if (plan) showPlanPlaces(map, plan.items);
  return map;
}

/** What the map's symbols mean, for those this beat has: the printout has no layer panel. */
/** How the places of today's patrol plan are drawn on the sheet's map: a dashed outline, apart from every layer's fills. */
const PLAN_OUTLINE = '#1b2a49';

function sheetLegend(ctx: AppContext, places: Feature[], incidents: Feature[], blocks: Feature[], hotCells: boolean, planPlaces: boolean): HTMLElement {
  const item = (mark: HTMLElement, label: string) => h('li', {}, mark, label);
  const dot = (colour: string) => h('span', { class: 'swatch fill', style: { background: colour } });
  const present = (layer: LayerInfo | undefined, features: Feature[]) => {
    const fill = layer?.legend?.fill;
    const values = new Set(features.map((f) => String(f.properties[fill?.property ?? ''])));
    return fill ? fill.entries.filter((e) => values.has(e.value)) : [];
  };
  const kp = ctx.registry.get('key-places');
  return h('ul', { class: 'sheet-legend' },
    item(h('span', { class: 'swatch line', style: { background: '#d00000' } }), '本警勤區'),
    present(kp, places).map((e) => item(h('img', { class: 'swatch icon', alt: '', src: iconDataUrl(ctx.registry, 'key-places', e.value) ?? '' }), e.label)),
    present(ctx.registry.get('incidents'), incidents).map((e) => item(dot(e.colour), e.label)),
    ctx.registry.get('cameras')?.legend?.fill?.entries.map((e) => item(swatchOf(e, 'fill'), `監視器${e.label}`)),
    // Areas on the sheet's map: the watch blocks by their adopter's kind, and the hot cells.
    present(ctx.registry.get('watch-blocks'), blocks).map((e) => item(h('span', { class: 'swatch square', style: { background: e.colour } }), `治安區塊（${e.label}）`)),
    hotCells ? item(h('span', { class: 'swatch square', style: { background: BINS[1].colour } }), `預測熱點（未來 ${FORECAST.horizon} 天最可能有案件的網格）`) : null,
    planPlaces ? item(h('span', { class: 'swatch dashed', style: { borderColor: PLAN_OUTLINE } }), '今日巡邏計畫地點') : null);
}

/**
 * 近重複被害警示: the incidents of the last days near the beat after which, in this station, more
 * have followed close by more often than chance (the near-repeat calculation), each with the day
 * its warning ends.
 */
function nearRepeatList(layer: LayerInfo | undefined, r: NearRepeatWarnings): HTMLElement {
  const w = r.warning!;
  const md = (iso: string) => formatDate(iso).slice(5);
  return h('div', { class: 'near-repeats' },
    h('h3', {}, `近重複被害警示（未來 ${w.days} 天內、${w.radiusM} 公尺內）`),
    h('ul', {}, r.incidents.slice(0, 5).map((i) => h('li', {}, `${md(i.occurredAt)} ${choiceLabel(layer, 'type', i.type)}：至 ${md(i.until)} 前，附近 ${w.radiusM} 公尺內加強巡邏`))),
    r.incidents.length > 5 ? h('p', { class: 'legend-note' }, `另有 ${r.incidents.length - 5} 件。`) : null);
}

/** Today's places of the station's approved patrol plan, outlined (dashed) above the fills. */
function showPlanPlaces(map: maplibregl.Map, items: readonly PlanItem[]): void {
  const data = { type: 'FeatureCollection', features: items.map((i) => ({ type: 'Feature', geometry: i.outline, properties: { place: i.place } })) };
  map.addSource('briefing-plan-places', { type: 'geojson', data: data as GeoJSON.FeatureCollection });
  map.addLayer({ id: 'briefing-plan-places', type: 'line', source: 'briefing-plan-places',
    paint: { 'line-color': PLAN_OUTLINE, 'line-width': 2.5, 'line-dasharray': [2, 1.5] } }, firstOfParts(map, ['points']));
}

function placesTable(ctx: AppContext, places: Feature[], redraw: () => void): HTMLElement {
  const layer = ctx.registry.get('key-places');
  const ordered = visitOrder(places);
  const canVisit = ctx.registry.can('visits', 'create');
  const shown = ordered.slice(0, LIMITS.places);
  return h('div', {},
    h('table', { class: 'compact' },
      h('thead', {}, h('tr', {}, h('th', {}, '名稱'), h('th', {}, '類別'), h('th', {}, '最近查訪'), h('th', {}, '期限'), canVisit ? h('th', { class: 'no-print' }, h('span', { class: 'visually-hidden' }, '查訪')) : null)),
      h('tbody', {}, shown.map((r) => h('tr', { class: r.overdueDays !== null ? 'overdue' : '', dataset: { id: r.feature.id } },
        h('td', {}, String(r.feature.properties.name), h('div', { class: 'sub' }, String(r.feature.properties.address ?? ''))),
        h('td', {}, choiceLabel(layer, 'category', r.feature.properties.category)),
        h('td', {}, r.sinceVisit === null ? '從未查訪' : `${r.sinceVisit} 天前`),
        h('td', {}, r.overdueDays !== null ? h('b', { class: 'badge-overdue' }, `逾期 ${r.overdueDays} 天`) : String(r.feature.properties.next_visit_due ?? '—')),
        canVisit ? h('td', { class: 'no-print' }, h('button', { type: 'button', class: 'small', dataset: { action: 'visit' },
          onclick: () => openVisitDialog(ctx, { id: r.feature.id, name: String(r.feature.properties.name) }, redraw) }, '紀錄查訪')) : null)))),
    ordered.length === 0 ? h('p', { class: 'legend-note' }, '此警勤區沒有列管的治安重點處所。') : null,
    more(ordered.length - shown.length, '處'));
}

function incidentSummary(layer: LayerInfo | undefined, incidents: Feature[], hours: HotHours | null, spots: Forecast | null): (Element | null)[] {
  const byType = new Map<string, number>();
  for (const f of incidents) byType.set(String(f.properties.type), (byType.get(String(f.properties.type)) ?? 0) + 1);
  const matrix = (hours?.matrix ?? []).map((row) => row.map((n) => n ?? 0));
  const hot = busiest(matrix);
  const hotCells = spots?.features.length ?? 0;
  return [
    h('h2', {}, `近 ${DAYS} 日案件（${incidents.length} 件）與熱時`),
    hourWeekChart(matrix.length ? matrix : emptyHourWeek(), `近 ${DAYS} 日案件的星期與時段分布`),
    h('p', { class: 'hot' }, hot.length ? `熱時：${hot.map((c) => `週${WEEKDAYS[c.weekday - 1]} ${c.hour} 時（${c.count} 件）`).join('、')}` : '近期沒有案件'),
    h('ul', { class: 'by-type' }, [...byType].sort((a, b) => b[1] - a[1]).map(([t, n]) => h('li', {}, `${choiceLabel(layer, 'type', t)} ${n}`))),
    spots ? h('p', { class: 'legend-note' }, hotCells
      ? `預測熱點：依派出所轄區近一年的案件，以「${FORECAST_METHOD_NAMES[spots.fallback ? 'counts' : spots.method]?.plain ?? spots.method}」估計，未來 ${FORECAST.horizon} 天最可能有案件的 ${hotCells} 格（${HOT_CELL_M} 公尺見方）`
        + `${spots.features[0]!.properties.place ? `，最可能在${spots.features[0]!.properties.place}` : ''}，地圖上以紅色標示。`
      : '本警勤區沒有預測熱點。') : null,
  ];
}

/** The cells of a forecast whose centre lies in the beat. */
function inBeat(spots: Forecast, beat: Beat): Forecast {
  const area = { type: 'Feature' as const, geometry: beat.geometry as GeoJSON.Polygon | GeoJSON.MultiPolygon, properties: {} };
  return { ...spots, features: spots.features.filter((f) => booleanPointInPolygon(centroid(f.geometry as GeoJSON.Polygon), area)) };
}

/** The beat's forecast hot cells under its points on the briefing map. */
function showHotCells(map: maplibregl.Map, spots: Forecast): void {
  map.addSource('briefing-hot-cells', { type: 'geojson', data: spots as GeoJSON.FeatureCollection });
  const below = firstOfParts(map, ['points']);
  map.addLayer({ id: 'briefing-hot-cells', type: 'fill', source: 'briefing-hot-cells',
    paint: { 'fill-color': BINS[1].colour, 'fill-opacity': 0.45 } }, below);
}

function camerasList(layer: LayerInfo | undefined, cameras: Feature[]): HTMLElement {
  const shown = cameras.slice(0, LIMITS.cameras);
  return h('div', {},
    cameras.length === 0 ? h('p', { class: 'ok' }, '轄內監視器均正常。') : null,
    h('ul', { class: 'plain' }, shown.map((c) => h('li', {},
      h('b', {}, String(c.properties.name)), `　${choiceLabel(layer, 'status', c.properties.status)}・${choiceLabel(layer, 'owner_kind', c.properties.owner_kind)}`))),
    more(cameras.length - shown.length, '支'));
}

function blocksList(layer: LayerInfo | undefined, blocks: Feature[], teams: Feature[]): HTMLElement {
  const teamName = new Map(teams.map((t) => [t.id, String(t.properties.name)]));
  const shown = blocks.slice(0, LIMITS.blocks);
  return h('div', {},
    blocks.length === 0 ? h('p', { class: 'legend-note' }, '此警勤區尚無認養的治安區塊。') : null,
    h('ul', { class: 'plain' }, shown.map((b) => {
      const p = b.properties;
      return h('li', {}, h('b', {}, String(p.name)), `　${String(p.adopter)}（${choiceLabel(layer, 'adopter_kind', p.adopter_kind)}）`,
        h('div', { class: 'sub' }, [p.team_id ? teamName.get(Number(p.team_id)) : null, p.contact ? `聯絡人 ${String(p.contact)}` : null,
          p.patrol_hours ? `巡守 ${String(p.patrol_hours)}` : null].filter(Boolean).join('・')));
    })),
    more(blocks.length - shown.length, '處'));
}

/** The beat's map: its outline, its places and cameras, and its last 30 days' incidents. */
async function briefingMap(ctx: AppContext, container: HTMLElement, snapshot: HTMLImageElement, beat: Beat, since: string): Promise<maplibregl.Map> {
  const map = await createMap({ container, config: ctx.config, registry: ctx.registry, preserveDrawingBuffer: true });
  const filters = new TileFilters();
  for (const layer of ['key-places', 'cameras', 'incidents', 'watch-blocks']) if (ctx.registry.get(layer)) filters.set(layer, 'beat_code', beat.code);
  if (ctx.registry.get('incidents')) filters.set('incidents', 'datetime', `${since}/..`);
  filters.apply(map);
  map.addLayer({ id: 'briefing-beat', type: 'line', source: 'emap', 'source-layer': 'beats', filter: ['==', ['get', 'code'], beat.code],
    paint: { 'line-color': '#d00000', 'line-width': 3 } });
  const [w, s, e, n] = bbox(beat.geometry);
  map.fitBounds([[w, s], [e, n]], { padding: 24, duration: 0 });
  // The printout and the PNG use a still image of the map, refreshed whenever it has settled on
  // screen (while printing, the live map is hidden and must not overwrite it).
  const printing = window.matchMedia('print');
  map.on('idle', () => {
    if (!printing.matches && container.offsetWidth > 0) snapshot.src = map.getCanvas().toDataURL('image/png');
  });
  exposeForAutomation(map);
  return map;
}

async function savePng(sheet: HTMLElement, code: string, status: HTMLElement): Promise<void> {
  status.textContent = '產生圖片中…';
  sheet.classList.add('capturing');
  try {
    const url = await toPng(sheet, { pixelRatio: 2, backgroundColor: '#ffffff' });
    const a = h('a', { href: url, download: `勤前簡報-${code}-${taiwanDate()}.png` });
    document.body.append(a);
    a.click();
    a.remove();
    status.textContent = '已另存 PNG';
  } finally {
    sheet.classList.remove('capturing');
  }
}
