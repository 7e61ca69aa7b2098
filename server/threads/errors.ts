/**
 * Errors crossing between threads: structured cloning keeps an Error's message but drops its
 * own fields (a database error's code, detail, position, …), which code above the Db reads.
 */
export interface ErrorFields {
  message: string;
  [field: string]: unknown;
}

export function errorFields(err: unknown): ErrorFields {
  if (!(err instanceof Error)) return { message: String(err) };
  const fields: ErrorFields = { message: err.message };
  for (const [k, v] of Object.entries(err)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
  return fields;
}

/** An Error carrying the fields of one raised in another thread. */
export function fromFields(fields: ErrorFields): Error {
  return Object.assign(new Error(fields.message), fields);
}
