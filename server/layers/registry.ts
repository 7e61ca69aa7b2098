import type { LayerDef, PropertyDef, RoleAccess } from './types.js';
import * as v from './vocabularies.js';

/**
 * The layer registry: each layer declared once. The feature API, validation, access rules,
 * tiles, OGC API Features and the web legend all read these declarations.
 */

const text = (maxLength = 200) => ({ kind: 'text', maxLength }) as const;

/** Beat, station and precinct a feature lies in, kept by the database (sql/migrations/005). */
const UNIT_ASSIGNMENT: readonly PropertyDef[] = [
  { name: 'beat_code', label: '警勤區', type: text(40), derived: true, unitCode: 'beats' },
  { name: 'station_code', label: '派出所', type: text(40), derived: true, unitCode: 'stations' },
  { name: 'precinct_code', label: '分局', type: text(40), derived: true, unitCode: 'precincts' },
];

const ADMIN_WRITES: RoleAccess = { read: ['all'], write: { rows: ['all'], ops: ['create', 'update', 'delete'] } };
const PLANNER_WRITES: RoleAccess = {
  read: ['precinct'],
  write: { rows: ['precinct'], ops: ['create', 'update', 'delete'] },
};
const PRECINCT_READS: RoleAccess = { read: ['precinct'] };

/** The read rules of a layer without its writes: a derived layer is read exactly as its source. */
const readOnly = (access: LayerDef['access']): LayerDef['access'] =>
  Object.fromEntries(Object.entries(access).map(([role, a]) => [role, { read: a.read }]));

const CAMERA_ACCESS: LayerDef['access'] = {
  admin: ADMIN_WRITES,
  planner: PLANNER_WRITES,
  officer: { read: ['precinct'], write: { rows: ['precinct'], ops: ['update'], fields: ['status'] } },
  community: { read: ['public', 'area'] },
  public: { read: ['public'] },
};

/** Camera status and owner kind colours, shared by the cameras and the ground they see. */
const CAMERA_COLOURS = { working: '#2b9348', broken: '#d00000', offline: '#8d99ae', police: '#1d3557', community: '#f4a261', private: '#6d597a' };

/** Unit boundaries and their contacts are public; only the bureau (admin) redraws them. */
const UNIT_ACCESS = {
  admin: ADMIN_WRITES,
  planner: { read: ['all'] },
  officer: { read: ['all'] },
  community: { read: ['all'] },
  public: { read: ['all'] },
} as const;

const UNIT_CONTACT: readonly PropertyDef[] = [
  { name: 'phone', label: '電話', type: text(40) },
  { name: 'address', label: '地址', type: text() },
];

/** The ground people orient by: everyone reads it; the bureau (admin) imports and corrects it. */
const GROUND_ACCESS = UNIT_ACCESS;

/**
 * Reference layers, drawn beneath everything else: the basic statistical areas as the block
 * fabric (their outlines follow streets), then administrative areas with their names, smallest
 * first so larger boundaries are drawn over smaller ones.
 */
const GROUND_LAYERS: readonly LayerDef[] = [
  {
    id: 'blocks',
    table: 'blocks',
    title: '最小統計區',
    geometry: 'MultiPolygon',
    label: 'code',
    ground: true,
    attribution: '內政部統計處',
    properties: [
      { name: 'code', label: '代碼', type: text(20), required: true, words: ['CODEBASE', '最小統計區代碼'] },
      { name: 'code1', label: '一級發布區', type: text(20) },
      { name: 'code2', label: '二級發布區', type: text(20) },
      { name: 'town_code', label: '鄉鎮市區代碼', type: text(10), words: ['TOWN_ID', 'TOWNCODE'] },
      { name: 'village_code', label: '村里代碼', type: text(20), words: ['VILLCODE', 'VILLAGE_ID'] },
    ],
    access: GROUND_ACCESS,
    tiles: { minzoom: 10, maxzoom: 16 },
    // Pale blocks parted by white lines: the streets between them, as on a street map.
    style: { color: '#e8e2d2', fill: 1, lineColour: '#ffffff', line: { width: 0.6, widthStops: [[13, 0.8], [16, 3], [18, 6]] } },
  },
  {
    id: 'villages',
    table: 'villages',
    title: '村里',
    geometry: 'MultiPolygon',
    label: 'name',
    ground: true,
    attribution: '內政部國土測繪中心',
    properties: [
      { name: 'code', label: '代碼', type: text(20), required: true, words: ['VILLCODE', '村里代碼'] },
      { name: 'name', label: '名稱', type: text(20), required: true, words: ['VILLNAME', '村里名稱', '村里'] },
      { name: 'town_code', label: '鄉鎮市區代碼', type: text(10), words: ['TOWNCODE'] },
      { name: 'town_name', label: '鄉鎮市區', type: text(20), words: ['TOWNNAME', '鄉鎮市區名稱'] },
      { name: 'county_name', label: '縣市', type: text(20), words: ['COUNTYNAME', '縣市名稱'] },
    ],
    access: GROUND_ACCESS,
    tiles: { minzoom: 11, maxzoom: 16, labels: true },
    style: { color: '#7d8f69', fill: false, line: { width: 1, dashed: true, opacity: 0.9 }, labels: { minzoom: 13, size: 12 } },
    search: ['name'],
  },
  {
    id: 'towns',
    table: 'towns',
    title: '鄉鎮市區',
    geometry: 'MultiPolygon',
    label: 'name',
    ground: true,
    attribution: '內政部國土測繪中心',
    properties: [
      { name: 'code', label: '代碼', type: text(10), required: true, words: ['TOWNCODE', '鄉鎮市區代碼'] },
      { name: 'name', label: '名稱', type: text(20), required: true, words: ['TOWNNAME', '鄉鎮市區名稱', '鄉鎮市區'] },
      { name: 'county_code', label: '縣市代碼', type: text(10), words: ['COUNTYCODE'] },
      { name: 'county_name', label: '縣市', type: text(20), words: ['COUNTYNAME', '縣市名稱'] },
    ],
    access: GROUND_ACCESS,
    tiles: { minzoom: 8, maxzoom: 16, labels: true },
    style: { color: '#857a63', fill: false, line: { width: 1.6 }, labels: { minzoom: 10, maxzoom: 13, size: 15 } },
    search: ['name'],
  },
  {
    // The gazetteer the search finds addresses in: 門牌 points as the cities publish them
    // (戶政 門牌坐標), imported by the bureau or a planner (sql/migrations/055_addresses.sql).
    id: 'addresses',
    table: 'addresses',
    title: '門牌',
    geometry: 'Point',
    label: 'address',
    ground: true,
    attribution: '各縣市政府 門牌坐標資料',
    properties: [
      { name: 'address', label: '地址', type: text(), required: true },
      { name: 'village', label: '村里', type: text(20) },
      { name: 'neighbourhood', label: '鄰', type: text(10) },
      { name: 'street', label: '街路段', type: text(60) },
      { name: 'area', label: '地區', type: text(60) },
      { name: 'lane', label: '巷', type: text(20) },
      { name: 'alley', label: '弄', type: text(20) },
      { name: 'number', label: '號', type: text(40) },
      { name: 'county_name', label: '縣市', type: text(20), derived: true },
      { name: 'town_name', label: '鄉鎮市區', type: text(20), derived: true },
      { name: 'door', label: '門牌號', type: text(60), derived: true },
    ],
    // Open data everyone reads; the bureau and the precincts' planners keep it (a city's file
    // crosses precincts, so a planner imports it whole).
    access: { ...GROUND_ACCESS, planner: { read: ['all'], write: { rows: ['all'], ops: ['create', 'update', 'delete'] } } },
    tiles: { minzoom: 16, maxzoom: 18 },
    style: { color: '#8a817c', labels: { minzoom: 16.5, size: 11, text: 'door', colour: '#5c5552' } },
    // Found by the search's own rules for addresses (server/search/addresses.ts).
    search: ['address'],
  },
  {
    id: 'counties',
    table: 'counties',
    title: '縣市',
    geometry: 'MultiPolygon',
    label: 'name',
    ground: true,
    attribution: '內政部國土測繪中心',
    properties: [
      { name: 'code', label: '代碼', type: text(10), required: true, words: ['COUNTYCODE', '縣市代碼'] },
      { name: 'name', label: '名稱', type: text(20), required: true, words: ['COUNTYNAME', '縣市名稱', '縣市'] },
    ],
    access: GROUND_ACCESS,
    tiles: { minzoom: 5, maxzoom: 12, labels: true },
    style: { color: '#6f6553', fill: false, line: { width: 2.2 }, labels: { minzoom: 6, maxzoom: 10, size: 17 } },
    search: ['name'],
  },
];

export const LAYERS: readonly LayerDef[] = [
  ...GROUND_LAYERS,
  {
    id: 'bureaus',
    table: 'bureaus',
    title: '警察局',
    geometry: null,
    label: 'name',
    properties: [
      { name: 'code', label: '代碼', type: text(40), required: true },
      { name: 'name', label: '名稱', type: text(), required: true },
      ...UNIT_CONTACT,
    ],
    access: UNIT_ACCESS,
  },
  {
    id: 'precincts',
    table: 'precincts',
    title: '分局',
    geometry: 'MultiPolygon',
    label: 'name',
    properties: [
      { name: 'code', label: '代碼', type: text(40), required: true },
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'bureau_code', label: '警察局', type: text(40), required: true },
      ...UNIT_CONTACT,
    ],
    access: UNIT_ACCESS,
    tiles: { minzoom: 8, maxzoom: 16, labels: true },
    style: { color: '#1f3a93', fill: false, line: { width: 3 }, labels: { minzoom: 8, maxzoom: 12, size: 16 } },
  },
  {
    id: 'stations',
    table: 'stations',
    title: '派出所',
    geometry: 'MultiPolygon',
    label: 'name',
    properties: [
      { name: 'code', label: '代碼', type: text(40), required: true },
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'precinct_code', label: '分局', type: text(40), required: true, unitCode: 'precincts' },
      ...UNIT_CONTACT,
    ],
    access: UNIT_ACCESS,
    tiles: { minzoom: 10, maxzoom: 16, labels: true },
    // Area names while the stations are small on the map; closer in, the station's own point is named.
    style: { color: '#3867d6', fill: false, line: { width: 2, dashed: true }, labels: { minzoom: 11, maxzoom: 13, size: 14 } },
  },
  {
    id: 'beats',
    table: 'beats',
    title: '警勤區',
    geometry: 'MultiPolygon',
    label: 'code',
    properties: [
      { name: 'code', label: '代碼', type: text(40), required: true },
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'station_code', label: '派出所', type: text(40), required: true, unitCode: 'stations' },
      { name: 'precinct_code', label: '分局', type: text(40), derived: true, unitCode: 'precincts' },
      { name: 'officer_name', label: '警勤區員警', type: text(60), sensitive: true },
    ],
    access: UNIT_ACCESS,
    tiles: { minzoom: 12, maxzoom: 16, labels: true },
    // A clear fill: a click anywhere on the map finds the beat it is in.
    style: { color: '#8854d0', fill: 0, line: { width: 1, opacity: 0.8 }, labels: { minzoom: 15, size: 12, text: 'name' } },
    search: ['code', 'name'],
  },
  {
    id: 'police-units',
    table: 'police_units',
    title: '警察單位',
    geometry: 'Point',
    label: 'name',
    properties: [
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'kind', label: '類別', type: { kind: 'enum', choices: v.POLICE_UNIT_KINDS }, required: true, words: ['單位類別', '單位層級'] },
      { name: 'unit_code', label: '單位代碼', type: text(40) },
      ...UNIT_CONTACT,
    ],
    access: UNIT_ACCESS,
    tiles: { minzoom: 8, maxzoom: 18 },
    style: {
      color: '#1f3a93', colorBy: 'kind', labels: { minzoom: 13, size: 12 },
      // Dark to light by rank (a substation as its station), traffic apart in green: told apart in
      // greyscale and by colour-blind readers too (test/palette.test.ts).
      colours: { bureau: '#0b1f5c', precinct: '#2a52be', station: '#a3c4f3', substation: '#a3c4f3', traffic: '#168a6f', other: '#e08e3c' },
    },
    search: ['name', 'address'],
  },
  {
    id: 'buildings',
    table: 'buildings',
    title: '建物',
    geometry: 'MultiPolygon',
    label: 'name',
    properties: [
      { name: 'name', label: '名稱', type: text() },
      { name: 'levels', label: '樓層數', type: { kind: 'integer', min: 1, max: 200 } },
      ...UNIT_ASSIGNMENT,
    ],
    // Footprints cut camera coverage; everyone may read them, as on any basemap.
    access: {
      admin: ADMIN_WRITES,
      planner: { read: ['all'], write: { rows: ['precinct'], ops: ['create', 'update', 'delete'] } },
      officer: { read: ['all'] },
      community: { read: ['all'] },
      public: { read: ['all'] },
    },
    tiles: { minzoom: 14, maxzoom: 18 },
    style: { color: '#95a5a6' },
  },
  {
    id: 'key-places',
    table: 'key_places',
    title: '治安重點處所',
    geometry: 'Point',
    label: 'name',
    properties: [
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'address', label: '地址', type: text() },
      { name: 'category', label: '類別', type: { kind: 'enum', choices: v.KEY_PLACE_CATEGORIES }, required: true },
      { name: 'listing_status', label: '列管狀態', type: { kind: 'enum', choices: v.LISTING_STATUSES } },
      { name: 'listed_on', label: '列管日期', type: { kind: 'date' } },
      { name: 'delisted_on', label: '解除列管日期', type: { kind: 'date' } },
      { name: 'indicators', label: '犯罪徵候', type: { kind: 'indicators' } },
      { name: 'next_visit_due', label: '下次查訪期限', type: { kind: 'date' } },
      { name: 'last_visited_at', label: '最近查訪', type: { kind: 'timestamp' }, derived: true },
      { name: 'notes', label: '備註', type: text(2000) },
      ...UNIT_ASSIGNMENT,
    ],
    access: {
      admin: ADMIN_WRITES,
      planner: PLANNER_WRITES,
      officer: PRECINCT_READS,
    },
    tiles: { minzoom: 10, maxzoom: 18, cluster: { belowZoom: 14, countBy: 'category' } },
    style: { color: '#eb3b5a', colorBy: 'category', icons: true },
    search: ['name', 'address'],
  },
  {
    id: 'visits',
    table: 'visits',
    title: '查訪紀錄',
    geometry: null,
    label: 'visited_at',
    temporal: 'visited_at',
    properties: [
      { name: 'place_id', label: '處所', type: { kind: 'reference', layer: 'key-places' }, required: true },
      { name: 'officer', label: '查訪員警', type: text(60), required: true },
      { name: 'visited_at', label: '查訪時間', type: { kind: 'timestamp', notInFuture: true }, required: true },
      { name: 'outcome', label: '結果', type: { kind: 'enum', choices: v.VISIT_OUTCOMES } },
      { name: 'findings', label: '查訪情形', type: text(4000) },
      ...UNIT_ASSIGNMENT,
    ],
    access: {
      admin: ADMIN_WRITES,
      // Visits are the officers' own record (issue 2: the officer "records visits"): each officer
      // corrects only the visits they recorded, never a colleague's; the planner reads them; the
      // bureau (admin) may correct or delete any.
      planner: PRECINCT_READS,
      officer: { read: ['precinct'], write: { rows: ['precinct', 'own'], ops: ['create', 'update'] } },
    },
  },
  {
    id: 'cameras',
    table: 'cameras',
    title: '錄影監視系統',
    geometry: 'Point',
    label: 'name',
    properties: [
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'azimuth', label: '方位角（度）', type: { kind: 'number', min: 0, max: 360, maxExclusive: true }, required: true },
      { name: 'fov', label: '水平視角（度）', type: { kind: 'number', min: 0, max: 360, minExclusive: true }, required: true },
      { name: 'range_m', label: '有效距離（公尺）', type: { kind: 'number', min: 0, max: 1000, minExclusive: true }, required: true },
      { name: 'owner_kind', label: '設置單位', type: { kind: 'enum', choices: v.CAMERA_OWNER_KINDS }, required: true },
      { name: 'status', label: '狀態', type: { kind: 'enum', choices: v.CAMERA_STATUSES } },
      { name: 'lpr', label: '車牌辨識', type: { kind: 'boolean' } },
      { name: 'networked', label: '連網', type: { kind: 'boolean' } },
      { name: 'adjustable', label: '可調整方向', type: { kind: 'boolean' } },
      { name: 'install_year', label: '建置年度', type: { kind: 'integer', min: 1990, max: 'current-year' } },
      { name: 'is_public', label: '公開', type: { kind: 'boolean' } },
      { name: 'contact', label: '聯絡人', type: text(120), sensitive: true },
      ...UNIT_ASSIGNMENT,
    ],
    access: CAMERA_ACCESS,
    tiles: { minzoom: 10, maxzoom: 18, cluster: { belowZoom: 15, countBy: 'status' } },
    style: { color: '#20bf6b', colorBy: 'status', outlineBy: 'owner_kind', colours: CAMERA_COLOURS, marks: { hollow: ['offline'], cross: ['broken'] } },
    search: ['name'],
  },
  {
    // Derived: kept by the database from cameras and buildings (sql/migrations/009_coverage.sql).
    id: 'camera-coverage',
    table: 'camera_coverage',
    title: '監視覆蓋',
    geometry: 'MultiPolygon',
    label: 'camera_id',
    properties: [
      { name: 'camera_id', label: '監視器', type: { kind: 'reference', layer: 'cameras' }, derived: true },
      { name: 'status', label: '狀態', type: { kind: 'enum', choices: v.CAMERA_STATUSES }, derived: true },
      { name: 'owner_kind', label: '設置單位', type: { kind: 'enum', choices: v.CAMERA_OWNER_KINDS }, derived: true },
      { name: 'is_public', label: '公開', type: { kind: 'boolean' }, derived: true },
      { name: 'area_m2', label: '覆蓋面積（平方公尺）', type: { kind: 'number', min: 0, max: Math.PI * 1000 ** 2 }, derived: true },
      ...UNIT_ASSIGNMENT,
    ],
    access: readOnly(CAMERA_ACCESS),
    areaColumn: 'camera_geom',
    tiles: { minzoom: 13, maxzoom: 18 },
    // Coloured as its cameras are: a broken camera's ground shows red.
    style: { color: '#26de81', colorBy: 'status', colours: CAMERA_COLOURS },
  },
  {
    id: 'watch-teams',
    table: 'watch_teams',
    title: '守望相助隊',
    geometry: null,
    label: 'name',
    properties: [
      { name: 'name', label: '隊名', type: text(), required: true },
      { name: 'precinct_code', label: '分局', type: text(40), required: true, unitCode: 'precincts' },
      { name: 'leader', label: '隊長', type: text(60), sensitive: true },
      { name: 'phone', label: '聯絡電話', type: text(40), sensitive: true },
      { name: 'members', label: '隊員人數', type: { kind: 'integer', min: 0, max: 10000 } },
      { name: 'notes', label: '備註', type: text(2000) },
    ],
    access: {
      admin: ADMIN_WRITES,
      planner: PLANNER_WRITES,
      officer: PRECINCT_READS,
      community: { read: ['all'] },
      public: { read: ['all'] },
    },
  },
  {
    id: 'watch-blocks',
    table: 'watch_blocks',
    title: '治安區塊',
    geometry: 'MultiPolygon',
    label: 'name',
    properties: [
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'adopter', label: '認養單位', type: text(), required: true },
      { name: 'adopter_kind', label: '認養單位類型', type: { kind: 'enum', choices: v.ADOPTER_KINDS }, required: true },
      { name: 'team_id', label: '守望相助隊', type: { kind: 'reference', layer: 'watch-teams' } },
      { name: 'contact', label: '聯絡人', type: text(120), sensitive: true },
      { name: 'patrol_hours', label: '巡守時段', type: text(120) },
      ...UNIT_ASSIGNMENT,
    ],
    access: {
      admin: ADMIN_WRITES,
      planner: PLANNER_WRITES,
      officer: PRECINCT_READS,
      community: { read: ['area'] },
      public: { read: ['all'] },
    },
    tiles: { minzoom: 11, maxzoom: 18, labels: true },
    // Five steps of lightness in five hues: apart for colour-blind readers and in greyscale.
    style: { color: '#f7b731', colorBy: 'adopter_kind', colours: { agency: '#1d3557', school: '#2a9d8f', company: '#9d4edd', shop: '#f4a261', community: '#ffe066' },
      labels: { minzoom: 15, size: 12, colour: '#5c4400' } },
    search: ['name', 'adopter'],
  },
  {
    id: 'drone-surveys',
    table: 'drone_surveys',
    title: '空拍機蒐證區',
    geometry: 'MultiPolygon',
    label: 'name',
    properties: [
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'purpose', label: '目的', type: { kind: 'enum', choices: v.DRONE_PURPOSES }, required: true },
      { name: 'target_place_ids', label: '目標處所', type: { kind: 'ids', layer: 'key-places' } },
      { name: 'planned_on', label: '預定日期', type: { kind: 'date' } },
      { name: 'altitude_m', label: '飛行高度（公尺）', type: { kind: 'number', min: 0, max: 120, minExclusive: true } },
      { name: 'status', label: '狀態', type: { kind: 'enum', choices: v.DRONE_STATUSES } },
      { name: 'findings', label: '蒐證結果', type: text(4000) },
      ...UNIT_ASSIGNMENT,
    ],
    access: { admin: ADMIN_WRITES, planner: PLANNER_WRITES, officer: PRECINCT_READS },
    tiles: { minzoom: 11, maxzoom: 18 },
    style: {
      color: '#0fb9b1', colorBy: 'status', fill: 0.18, line: { width: 1.5, dashed: true },
      colours: { planned: '#0096c7', approved: '#5a189a', done: '#80b918', cancelled: '#495057' },
    },
    search: ['name'],
  },
  {
    id: 'incidents',
    table: 'incidents',
    title: '案件',
    geometry: 'Point',
    label: 'type',
    temporal: 'occurred_at',
    properties: [
      { name: 'type', label: '案類', type: { kind: 'enum', choices: v.INCIDENT_TYPES }, required: true },
      { name: 'occurred_at', label: '發生時間', type: { kind: 'timestamp', notInFuture: true }, required: true },
      { name: 'source', label: '來源', type: { kind: 'enum', choices: v.INCIDENT_SOURCES } },
      { name: 'description', label: '案情摘要', type: text(4000), sensitive: true },
      ...UNIT_ASSIGNMENT,
    ],
    // Incidents come from case records and citizen reports (imported by the bureau); a precinct
    // reads them but does not edit them, so hot spots and statistics cannot be touched up locally.
    access: { admin: ADMIN_WRITES, planner: PRECINCT_READS, officer: PRECINCT_READS },
    // The community and the public see an aggregated hot-spot picture of the whole city.
    aggregates: { community: ['all'], public: ['all'] },
    tiles: { minzoom: 8, maxzoom: 18, cluster: { belowZoom: 15, countBy: 'type' } },
    // Okabe & Ito's colour-blind-safe set, and a wine red for the ninth type (test/palette.test.ts).
    style: { color: '#fa8231', colorBy: 'type', heatmap: true, colours: {
      residential_burglary: '#d55e00', car_theft: '#0072b2', scooter_theft: '#56b4e9', bicycle_theft: '#009e73', fraud_withdrawal: '#cc79a7',
      drugs: '#882255', violence: '#000000', traffic_accident: '#e69f00', citizen_report: '#f0e442' } },
  },
  {
    id: 'patrol-points',
    table: 'patrol_points',
    title: '巡簽點',
    geometry: 'Point',
    label: 'name',
    properties: [
      { name: 'name', label: '名稱', type: text(), required: true },
      { name: 'kind', label: '種類', type: { kind: 'enum', choices: v.PATROL_POINT_KINDS }, required: true },
      { name: 'keeper', label: '保管人', type: text(120) },
      { name: 'notes', label: '備註', type: text(2000) },
      ...UNIT_ASSIGNMENT,
    ],
    access: { admin: ADMIN_WRITES, planner: PLANNER_WRITES, officer: PRECINCT_READS },
    tiles: { minzoom: 12, maxzoom: 18 },
    // Rings: no other layer's points are (incidents and cameras are filled discs, key places squares).
    style: { color: '#6a1b9a', ring: true, labels: { minzoom: 16, size: 11 } },
    search: ['name', 'keeper'],
  },
  {
    // Written only by POST /api/patrol-points/{id}/sign-in after its checks (server/patrol).
    id: 'patrol-signins',
    table: 'patrol_signins',
    title: '巡簽紀錄',
    geometry: null,
    label: 'signed_at',
    temporal: 'signed_at',
    properties: [
      { name: 'point_id', label: '巡簽點', type: { kind: 'reference', layer: 'patrol-points' }, required: true },
      { name: 'officer', label: '簽到員警', type: text(60), required: true },
      { name: 'signed_at', label: '簽到時間', type: { kind: 'timestamp', notInFuture: true }, required: true },
      { name: 'method', label: '方式', type: { kind: 'enum', choices: v.SIGNIN_METHODS }, required: true },
      { name: 'distance_m', label: '距簽到點（公尺）', type: { kind: 'number', min: 0, max: 100_000 } },
      { name: 'accuracy_m', label: '定位誤差（公尺）', type: { kind: 'number', min: 0, max: 100_000 } },
      ...UNIT_ASSIGNMENT,
    ],
    access: { admin: { read: ['all'] }, planner: PRECINCT_READS, officer: PRECINCT_READS },
  },
];

const BY_ID = new Map(LAYERS.map((l) => [l.id, l]));

export function findLayer(id: string): LayerDef | undefined {
  return BY_ID.get(id);
}

export function property(layer: LayerDef, name: string): PropertyDef | undefined {
  return layer.properties.find((p) => p.name === name);
}
