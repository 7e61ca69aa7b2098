import type { HttpError } from './errors.js';
import { refusal } from './messages.js';

/**
 * Query-string parameters in general. An unknown parameter is refused rather than ignored (a
 * misspelt filter would otherwise return everything), and the refusal lists the accepted names
 * in `details.accepted`, so a client can tell its user what it could have sent.
 */
export const unknownParameter = (name: string, accepted: readonly string[]): HttpError =>
  refusal(400, 'unknown_parameter', { name, accepted }, { field: name, details: { accepted } });

/** A parameter's one value; the same parameter twice is ambiguous and refused. */
export function single(v: unknown, name: string): string {
  if (typeof v !== 'string') throw refusal(400, 'repeated_parameter', { field: name }, { field: name });
  return v;
}

/** Refuses any parameter not in `accepted`. */
export function onlyParameters(query: Record<string, unknown>, accepted: readonly string[]): void {
  for (const name of Object.keys(query)) if (!accepted.includes(name)) throw unknownParameter(name, accepted);
}
