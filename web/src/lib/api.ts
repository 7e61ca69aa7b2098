/**
 * The service's HTTP API as the app uses it: JSON in and out, the session cookie sent by the
 * browser, and errors turned into ApiError with the server's message and the field at fault.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The current ETag, on a 412 (someone else changed the feature). */
    readonly etag?: string,
    /** What the server adds to some errors (an import's columns and targets). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface ApiResponse<T> {
  body: T;
  etag?: string;
}

/**
 * How long the app waits for an answer before it says so, instead of a button that never
 * answers (a phone between cells). Analyses and roll-ups are heavy work the server queues and
 * allows minutes (PG_HEAVY_STATEMENT_TIMEOUT_MS, 5 min by default); other reads are quick unless
 * the server is busy. A write that timed out may still have been done, so its message says so.
 */
const READ_TIMEOUT_MS = 45_000;
const HEAVY_TIMEOUT_MS = 330_000;
const WRITE_TIMEOUT_MS = 60_000;
const HEAVY_PATHS = ['/api/analysis/', '/api/rollups'];

const timeoutOf = (method: string, url: string) => (method !== 'GET' ? WRITE_TIMEOUT_MS
  : HEAVY_PATHS.some((p) => url.startsWith(p)) ? HEAVY_TIMEOUT_MS : READ_TIMEOUT_MS);

/** The error of a request that got no answer: timed out, or the network failed. */
function unanswered(err: unknown, method: string, waited: number): ApiError {
  if (err instanceof DOMException && err.name === 'TimeoutError') {
    return new ApiError(0, 'client_timeout', method === 'GET'
      ? `伺服器 ${Math.round(waited / 1000)} 秒內沒有回應（伺服器忙碌或網路中斷），請稍後再試一次。`
      : `伺服器 ${Math.round(waited / 1000)} 秒內沒有回應，這次變更可能已經儲存：請重新整理頁面確認後，再決定是否重做。`);
  }
  return new ApiError(0, 'network_error', '無法連上伺服器，請確認網路連線後再試一次。');
}

async function call<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const waited = timeoutOf(method, url);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(waited),
    });
    text = await res.text();
  } catch (err) {
    throw unanswered(err, method, waited);
  }
  const etag = res.headers.get('ETag') ?? undefined;
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    // Not the service's JSON: a proxy's error page, or a cut-off answer.
    throw new ApiError(res.status, 'unreadable_answer', `伺服器的回應無法讀取（HTTP ${res.status}），請稍後再試一次。`);
  }
  if (!res.ok) throw apiError(res.status, json, etag);
  return { body: json as T, etag };
}

/** The ApiError of an error answer's body (`{"error": {code, message, field, details}}`). */
export function apiError(status: number, body: unknown, etag?: string): ApiError {
  const e = (body as { error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown> } } | undefined)?.error;
  return new ApiError(status, e?.code ?? 'error', e?.message ?? `HTTP ${status}`, e?.field, etag, e?.details);
}

export const api = {
  get: <T>(url: string) => call<T>('GET', url).then((r) => r.body),
  getWithTag: <T>(url: string) => call<T>('GET', url),
  post: <T>(url: string, body?: unknown, headers: Record<string, string> = {}) => call<T>('POST', url, body ?? {}, headers),
  /** `etag`: the version the change is based on (features); resources without versions (accounts) have none. */
  patch: <T>(url: string, body: unknown, etag?: string) => call<T>('PATCH', url, body, etag ? { 'If-Match': etag } : {}),
  delete: (url: string, etag: string) => call<void>('DELETE', url, undefined, { 'If-Match': etag }),
};

/** A query string from a record, leaving out empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
