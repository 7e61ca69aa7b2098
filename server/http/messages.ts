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

  // Signing in
  invalid_credentials: () => '帳號或密碼錯誤。',
  too_many_attempts: (p: { seconds: number }) => `此帳號從你的位置登入失敗太多次，請於 ${p.seconds} 秒後再試；忘記密碼請洽系統管理員。`,
  too_many_attempts_here: (p: { seconds: number }) => `你的位置登入失敗太多次，請於 ${p.seconds} 秒後再試。`,
  account_slowed: (p: { seconds: number; spacing: number }) => `此帳號近期有多次登入失敗，為保護帳號，每 ${p.spacing} 秒只受理一次登入，請於 ${p.seconds} 秒後再試。`,
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
