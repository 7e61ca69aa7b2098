import compression from 'compression';
import type { RequestHandler } from 'express';

/**
 * Answers compressed for whoever accepts it (a phone on mobile data reads a feature list or a
 * roll-up in a fraction of the bytes). Vector tiles arrive gzipped already and the web app's
 * files precompressed (server/web/static.ts), which the middleware leaves as they are; import
 * progress (NDJSON) is streamed line by line and must not wait in a compressor's buffer.
 */
export const compressAnswers: RequestHandler = compression({
  threshold: 1024,
  filter: (req, res) => !String(res.getHeader('Content-Type') ?? '').startsWith('application/x-ndjson') && compression.filter(req, res),
});
