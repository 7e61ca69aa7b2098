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

  // Public statistics (what the community and the public may ask of analysis: server/analysis/disclosure.ts)
  public_statistics_filter: (p: { field: string }) =>
    `公開統計不分案類、時段或星期，也不依案件時間加權（參數 ${p.field}）：請拿掉這個條件，或以警察帳號登入查詢。`,
  public_statistics_period: (p: { example: string; latest: string }) =>
    `公開統計以完整的季為單位，每季結束後才公開：請用季初到季末的日期，例如 ${p.example}（最近公開的是 ${p.latest}）。`,
  public_statistics_period_too_long: (p: { max: number }) => `公開統計一次最多查詢 ${p.max} 季：請縮短 datetime 的期間。`,
  public_statistics_grid: (p: { size: number }) =>
    `公開統計使用固定的 ${p.size} 公尺方格：請拿掉 grid 與 cellSize，或設為 grid=square、cellSize=${p.size}。`,
  public_statistics_bandwidth: (p: { min: number }) => `公開的核密度由 200 公尺方格算出，頻寬至少 ${p.min} 公尺：請加大 bandwidth。`,
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
