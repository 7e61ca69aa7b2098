/**
 * One line per event an operator acts on (a dependency down or back, the cache bypassed,
 * requests refused with 503, shutdown), as logfmt: `time=… level=warn event=cache.bypassed
 * dependency=redis reason="Command timed out"`. Terse for a person reading journalctl or
 * `docker compose logs`, and key=value for a program that collects them.
 */
export type Level = 'info' | 'warn' | 'error';
export type Fields = Record<string, string | number | boolean | undefined>;
export type LogEvent = (level: Level, event: string, fields?: Fields) => void;

const value = (v: string | number | boolean) => {
  const s = String(v);
  return /^[\w.:/@+-]+$/.test(s) ? s : JSON.stringify(s);
};

/** The logfmt line of an event (fields left undefined are left out). */
export function logLine(level: Level, event: string, fields: Fields = {}): string {
  const parts = [`time=${new Date().toISOString()}`, `level=${level}`, `event=${event}`];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${value(v)}`);
  return parts.join(' ');
}

/** Writes the event's line to stderr (warnings, errors) or stdout. */
export const logEvent: LogEvent = (level, event, fields) => {
  const line = logLine(level, event, fields);
  if (level === 'info') console.log(line);
  else console.error(line);
};

/**
 * An event that may repeat thousands of times a second (every request refused while the
 * database is down) logged at most once per `intervalMs` per key, with how many were left out.
 */
export class ThrottledLog {
  private readonly last = new Map<string, { at: number; skipped: number }>();

  constructor(private readonly intervalMs: number, private readonly log: LogEvent = logEvent) {}

  event(key: string, level: Level, event: string, fields: Fields = {}): void {
    const now = Date.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.skipped++;
      return;
    }
    this.log(level, event, { ...fields, ...(seen?.skipped ? { repeated: seen.skipped } : {}) });
    this.last.set(key, { at: now, skipped: 0 });
  }
}
