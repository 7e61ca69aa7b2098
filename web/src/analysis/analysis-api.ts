import { api } from '../lib/api.js';

/**
 * The analysis API (/api/analysis/…, server/analysis) as the app calls it. Every analysis takes a
 * scope (a bbox, a unit code, or none for the caller's own area) and the incident filter, and
 * answers GeoJSON with its figures in `analysis`.
 */
export type Params = Record<string, string | number | undefined>;

interface Cells<P> { type: 'FeatureCollection'; features: { type: 'Feature'; geometry: GeoJSON.Geometry; properties: P }[] }

/**
 * How the figures of an answer to the community or the public were published: counts of 200 m
 * squares (and per station and hour) over whole quarters, each rounded at random to a multiple
 * of `rounding.base` (server/analysis/disclosure.ts).
 */
export interface Disclosure { grid: { shape: 'square'; cellSize: number }; quarters: string[]; rounding: { method: 'random'; base: number } }

export interface HotSpotCell { count: number; z?: number; p?: number; bin: number; binFdr: number }
export type HotSpots = Cells<HotSpotCell> & {
  analysis: { cells: number; cellSize: number; band: number; incidents: number; bins: Record<string, number>; binsFdr: Record<string, number>;
    aggregated: boolean; disclosure?: Disclosure; warnings: string[] };
};
export type Density = Cells<{ density: number; expected: number }> & {
  analysis: { cellSize: number; bandwidth: number; maxDensity: number; totalExpected: number; units: Record<string, string>; disclosure?: Disclosure };
};
export interface HotHours { matrix: number[][]; total: number; peak: { day: string; hour: number; count: number } | null; aggregated: boolean }
export interface Coverage {
  cameras: { total: number; working: number; broken: number; offline: number };
  area: { scopeM2: number; coveredM2: number; coveredShare: number | null; lostM2: number; lostShare: number | null };
  /** Null for the community and the public: finer than what is published. */
  incidents: { total: number; covered: number; coveredShare: number | null; inLostCoverage: number } | null;
  keyPlaces?: { total: number; inView: number; share: number | null };
}
export type Reaim = Cells<{ id: number; name: string; fov: number; range_m: number; currentAzimuth: number; suggestedAzimuth: number; turn: number; changed: boolean; gain: number }> & {
  sectors: Cells<{ camera_id: number; view: 'current' | 'suggested'; azimuth: number }>;
  analysis: { cameras: { adjustable: number; fixed: number; changed: number }; disclosure?: Disclosure;
    totals: { before: number; after: number; gain: number; beforeShare: number | null; afterShare: number | null } };
};
export type NewSites = Cells<{ rank: number; azimuth: number; fov: number; range_m: number; gain: number; covered: number; name?: string }> & {
  sectors: Cells<{ rank: number }>;
  curve: { k: number; covered: number; share: number | null }[];
  analysis: { disclosure?: Disclosure };
};
/** A method's area-share scores on one test period (server/analysis/forecast/scores.ts). */
export interface MethodScore { share: number; cells: number; areaShare: number; captured: number; hitRate: number | null; pai: number | null; peiStar: number | null }
/** Why a method's ranking is the prior counts (server/analysis/forecast/methods.ts), or null when it was fitted. */
export type Fallback = 'too_few_incidents' | 'not_converged' | 'unstable' | 'no_covariates' | null;
export interface Recommended { method: string; fallback: 'too_few_incidents' | 'no_inner_backtest' | null; inner: { method: string; criterion: number }[] }
export interface Backtest {
  results: { method: string; fallback: Fallback; scores: MethodScore[] }[];
  recommended: Recommended;
  windows: { train: { from: string; to: string; incidents: number }; test: { from: string; to: string; incidents: number }; recommended: string }[];
  summary: { method: string; scores: { share: number; pai: { mean: number | null; sd: number | null }; peiStar: { mean: number | null; sd: number | null } }[] }[];
}
/** Forecast hot spots (server/analysis/forecast-cells.ts): the cells where most incidents are expected. */
export type Forecast = Cells<{ rank: number; history: number; expectedShare: number | null; place: string | null }> & {
  /** Null when a method was asked for: the recommendation is worked out only without one. */
  method: string; fallback: Fallback; recommended: Recommended | null;
  analysis: { horizonDays: number; share: number; cells: number; flagged: number; cellSize: number; history: { incidents: number | null }; aggregated: boolean; disclosure?: Disclosure };
};

/** The forecasting methods in plain words: what a 里長 or an officer reads on the map. */
export const FORECAST_METHOD_NAMES: Record<string, { label: string; plain: string }> = {
  counts: { label: '前期件數', plain: '過去案件最多的地方' },
  kde: { label: '案件密度', plain: '過去案件最密集的地方（含周圍）' },
  gistar: { label: '熱點統計', plain: '案件比周圍明顯偏多的地方' },
  tkde: { label: '近期加權密度', plain: '過去案件密集之處，較近的案件算得較重' },
  etas: { label: '近重複模型', plain: '長期案件多之處，加上近期案件後附近短期內再發的可能' },
  rtm: { label: '環境風險', plain: '依周遭處所、監視器與街廓密度估計' },
  ensemble: { label: '綜合預測', plain: '綜合過去案件分布、近期再發可能與周遭環境' },
};

const run = <T>(name: string, params: Params) => {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
  return api.get<T>(`/api/analysis/${name}${q.size ? `?${q}` : ''}`);
};

export const analysis = {
  /** The endpoints this caller may use (community and public get fewer). */
  endpoints: () => api.get<{ endpoints: string[]; aggregated: boolean }>('/api/analysis'),
  hotspots: (p: Params) => run<HotSpots>('hotspots', p),
  density: (p: Params) => run<Density>('density', p),
  hotHours: (p: Params) => run<HotHours>('hot-hours', p),
  coverage: (p: Params) => run<Coverage>('coverage', p),
  reaim: (p: Params) => run<Reaim>('reaim', p),
  newSites: (p: Params) => run<NewSites>('new-sites', p),
  backtest: (p: Params) => run<Backtest>('backtest', p),
  forecast: (p: Params) => run<Forecast>('forecast', p),
  nearRepeatWarnings: (p: Params) => run<NearRepeatWarnings>('near-repeat/warnings', p),
};

/** Near-repeat warnings for a beat (server/analysis/near-repeat.ts). */
export interface NearRepeatWarnings {
  warning: { radiusM: number; days: number; ratio: number | null; p: number } | null;
  incidents: { id: number; type: string; occurredAt: string; until: string; lon: number; lat: number }[];
  summary: string;
}

/**
 * Gi* confidence bins as ArcGIS draws them (hot reds, cold blues, not significant left clear),
 * named in plain words for officers and 里長; the confidence each means is in `detail`, for the
 * 說明 fold.
 */
export const BINS = [
  { bin: 3, label: '明顯熱點', detail: '99% 以上信心', colour: '#d62f27' },
  { bin: 2, label: '熱點', detail: '95% 以上信心', colour: '#ed7551' },
  { bin: 1, label: '略多', detail: '90% 以上信心', colour: '#fab984' },
  { bin: 0, label: '一般', detail: '與周圍無明顯差異', colour: '#f7f7f7' },
  { bin: -1, label: '略少', detail: '90% 以上信心', colour: '#c0ccbe' },
  { bin: -2, label: '冷點', detail: '95% 以上信心', colour: '#849eba' },
  { bin: -3, label: '明顯冷點', detail: '99% 以上信心', colour: '#4575b5' },
] as const;
