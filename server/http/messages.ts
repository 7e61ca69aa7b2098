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
