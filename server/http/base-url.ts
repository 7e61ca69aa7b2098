import type { Request } from 'express';

/**
 * This service's origin as the client reached it. Behind a proxy on loopback ('trust proxy'),
 * `req.protocol` and `req.host` come from X-Forwarded-Proto and X-Forwarded-Host, so links
 * point at the public address rather than the one the proxy dialled.
 */
export const baseUrl = (req: Request): string => `${req.protocol}://${req.host}`;
