import type { Request } from 'express';

/** This service's origin as the client reached it (behind a loopback proxy, as it forwarded). */
export const baseUrl = (req: Request): string => `${req.protocol}://${req.get('host')}`;
