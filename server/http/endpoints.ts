import type { Request, RequestHandler } from 'express';
import type { HttpError } from './errors.js';
import { refusal } from './messages.js';

/** The 404 of a path nothing answers, or of an endpoint a role may not know of: the same words for both. */
export const noSuchEndpoint = (req: Request): HttpError =>
  refusal(404, 'no_such_endpoint', { method: req.method, path: req.originalUrl.split('?')[0]! }, { field: 'path' });

/** Under the service's own paths an unknown path is a JSON 404, never the web app's page or Express's HTML. */
export const jsonNotFound: RequestHandler = (req, _res, next) => next(noSuchEndpoint(req));
