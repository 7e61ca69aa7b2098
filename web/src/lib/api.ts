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

async function call<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const etag = res.headers.get('ETag') ?? undefined;
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
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
  post: <T>(url: string, body?: unknown) => call<T>('POST', url, body ?? {}),
  patch: <T>(url: string, body: unknown, etag: string) => call<T>('PATCH', url, body, { 'If-Match': etag }),
  delete: (url: string, etag: string) => call<void>('DELETE', url, undefined, { 'If-Match': etag }),
};

/** A query string from a record, leaving out empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
