import { HttpError } from './errors.js';

/**
 * The one catalogue of what the service tells people: a stable code (what programs and tests
 * match on) and its Traditional Chinese text, which says what went wrong and what to do next.
 * Add a code here rather than writing a sentence where the refusal is raised, so the wording
 * stays consistent and can be reviewed in one place.
 */
const CATALOGUE = {
  // Requests in general
  too_many_requests: (p: { seconds: number }) => `要求過於頻繁，請於 ${p.seconds} 秒後再試。`,
  service_busy: (p: { seconds: number }) => `系統忙碌中，請於 ${p.seconds} 秒後再試。`,

  // Basemaps served from local archives (/basemaps/…)
  basemap_unknown: (p: { name: string }) => `沒有名為「${p.name}」的底圖檔；可用的底圖列在 GET /api/app-config 的 basemaps。`,
  basemap_tile_coordinates: (p: { tile: string; maxZoom: number }) =>
    `圖磚座標「${p.tile}」不正確：縮放層級須為 0 到 ${p.maxZoom} 的整數，x 與 y 須為小於 2 的 z 次方的整數。`,
  basemap_tile_format: (p: { name: string; ext: string }) => `底圖「${p.name}」的圖磚是 .${p.ext} 格式，請以 .${p.ext} 結尾的網址索取。`,
  basemap_tile_missing: (p: { name: string; tile: string }) => `底圖「${p.name}」在 ${p.tile} 沒有圖磚（超出它涵蓋的範圍或縮放層級）。`,
  basemap_damaged: (p: { name: string }) => `底圖檔「${p.name}」已損毀，讀不出這張圖磚；請管理者重新產生或更換這個檔案。`,

  // Place search (/api/search): refusals, and the notes of results that stand in for what was asked
  search_query_missing: () => '請輸入要找的村里、地址、派出所名稱或警勤區代碼（參數 q）。',
  search_query_repeated: () => '參數 q 只能給一次。',
  search_query_too_long: (p: { max: number; length: number }) => `搜尋文字最多 ${p.max} 個字，收到的有 ${p.length} 個字；請只輸入地名、地址或代碼。`,
  search_query_encoding: () => '搜尋文字不是正確的 UTF-8：請以 UTF-8 百分比編碼送出 q（例如 JavaScript 的 encodeURIComponent）。',
  search_query_control: () => '搜尋文字含有控制字元（例如 NUL）；請只輸入地名、地址或代碼。',
  search_limit: (p: { max: number }) => `limit 須為 1 到 ${p.max} 的整數（每一類最多列出幾筆）。`,
  search_nearest_number: (p: { asked: string; found: string }) => `地址庫沒有「${p.asked}」，標示同一條路上最接近的門牌「${p.found}」。`,
  search_road_extent: (p: { asked: string; road: string; count: number }) =>
    `地址庫沒有「${p.asked}」，標示「${p.road}」沿線 ${p.count} 筆門牌的範圍。`,
  search_village_fallback: (p: { asked: string; village: string }) => `地址庫沒有「${p.asked}」，標示地址所在的村里「${p.village}」。`,
  search_town_fallback: (p: { asked: string; town: string }) => `地址庫沒有「${p.asked}」，標示地址所在的「${p.town}」。`,

  // The address gazetteer's import (門牌 points)
  address_empty: () => '這一列沒有地址：地址欄，以及村里、街路段、地區、巷、弄、號各欄都是空的。',
  address_no_number: (p: { address: string }) => `「${p.address}」沒有門牌號（…號），不是一個門牌；請補上號碼或刪除這一列。`,
  address_duplicate: (p: { row: number; address: string }) =>
    `與第 ${p.row} 列是同一個門牌（「${p.address}」；臺/台、全形半形、之與 - 等寫法不同仍視為同一門牌）。`,
  address_outside_town: (p: { named: string; located: string; metres: number }) =>
    `地址在「${p.named}」，坐標卻落在${p.located ? `「${p.located}」` : '所有鄉鎮市區之外'}，距${p.named} ${p.metres} 公尺；請檢查坐標或地址。`,
  address_outside_village: (p: { named: string; located: string; metres: number }) =>
    `地址寫「${p.named}」，坐標卻在${p.located ? `「${p.located}」` : '所有村里之外'}，距${p.named} ${p.metres} 公尺。`,
  address_datum: (p: { read: string; likely: string; outside: number; inside: number; crs: string }) =>
    `坐標看來是 ${p.likely}，不是 ${p.read}：以 ${p.read} 讀取時 ${p.outside}% 的門牌落在地址所寫的鄉鎮市區或村里之外，` +
    `改以 ${p.likely} 讀取則 ${p.inside}% 落在其內。請加上 crs=${p.crs} 重新匯入。`,
} satisfies Record<string, (p: never) => string>;

export type MessageCode = keyof typeof CATALOGUE;
type ParamsOf<C extends MessageCode> = Parameters<(typeof CATALOGUE)[C]>[0];

/** The zh-TW text of a code with its parameters filled in. */
export function message<C extends MessageCode>(code: C, params: ParamsOf<C>): string {
  return (CATALOGUE[code] as (p: ParamsOf<C>) => string)(params);
}

export interface RefusalOptions {
  /** The part of the request at fault, e.g. `properties.azimuth` or `file`. */
  field?: string;
  headers?: Record<string, string>;
  details?: Record<string, unknown>;
}

/** An HTTP error whose message comes from the catalogue. */
export function refusal<C extends MessageCode>(status: number, code: C, params: ParamsOf<C>, opts: RefusalOptions = {}): HttpError {
  return new HttpError(status, code, message(code, params), opts.field, opts.headers, opts.details);
}
