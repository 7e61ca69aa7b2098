import { GeometryError } from '../geo/geojson.js';
import { HttpError } from '../http/errors.js';
import { ROW_ISSUE_CODES } from '../http/import-messages.js';
import { message, type MessageCode, type ParamsOf } from '../http/messages.js';

/** A problem or remark about one row of an import, in the words of the feature API. */
export interface RowIssue {
  code: string;
  message: string;
  /** The feature's part at fault, as the feature API names it: `properties.azimuth`, `geometry`. */
  field?: string;
  /** The file's column the value came from. */
  column?: string;
}

/**
 * A row issue in the catalogue's words: its code is the text's own code, or the shared one
 * ROW_ISSUE_CODES gives it (cell_unreadable is an invalid_value).
 */
export function rowIssue<C extends MessageCode>(text: C, params: ParamsOf<C>, where: { field?: string; column?: string } = {}): RowIssue {
  const code = (ROW_ISSUE_CODES as Partial<Record<MessageCode, string>>)[text] ?? text;
  return { code, message: message(text, params), ...where };
}

/** A thrown validation error (the feature API's HttpError or GeometryError) as a row issue. */
export function issueOf(err: unknown): RowIssue {
  if (err instanceof HttpError) return { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  if (err instanceof GeometryError) return { code: 'invalid_geometry', message: err.message, field: err.path };
  throw err;
}
