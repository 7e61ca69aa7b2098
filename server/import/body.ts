import busboy from 'busboy';
import type { Request } from 'express';
import { refusal } from '../http/messages.js';

/**
 * The uploaded file: the request body as it is (what the CLI sends), or the one file of a
 * multipart/form-data body (what a browser form sends), with the form's other fields as
 * parameters. Larger than the import's own limit (IMPORT_BODY_LIMIT, not the JSON body limit)
 * is a 413 that names it.
 */
export interface UploadBody {
  bytes: Buffer;
  filename?: string;
  fields: Record<string, string>;
}

export const tooLarge = (limit: number) => refusal(413, 'file_too_large', { max: limit },
  { field: 'file', headers: { Connection: 'close' }, details: { limit: 'IMPORT_BODY_LIMIT', max: limit } });

/** `attachment; filename="x.csv"` or RFC 5987 `filename*=UTF-8''%E7%9B%A3.csv`. */
export function dispositionFilename(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try { return decodeURIComponent(star[1]!.trim()); } catch { /* fall back to the plain name */ }
  }
  return /filename\s*=\s*"?([^";]+)"?/.exec(header)?.[1]?.trim();
}

function readRaw(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => { if (!req.complete) reject(refusal(400, 'upload_cut_off', undefined, { field: 'file' })); });
  });
}

function readMultipart(req: Request, limit: number): Promise<UploadBody> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fileSize: limit, files: 1, fields: 20, fieldSize: 1 << 20 } });
    } catch (err) {
      reject(refusal(400, 'multipart_unreadable', { detail: (err as Error).message }, { field: 'file' }));
      return;
    }
    const fields: Record<string, string> = {};
    let file: Promise<{ bytes: Buffer; filename?: string }> | undefined;
    bb.on('field', (name, value) => { fields[name] = value; });
    bb.on('file', (_name, stream, info) => {
      file = new Promise((res, rej) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('limit', () => rej(tooLarge(limit)));
        stream.on('end', () => res({ bytes: Buffer.concat(chunks), ...(info.filename ? { filename: info.filename } : {}) }));
        stream.on('error', rej);
      });
    });
    bb.on('error', (err) => reject(refusal(400, 'multipart_unreadable', { detail: (err as Error).message }, { field: 'file' })));
    bb.on('close', () => {
      if (!file) {
        reject(refusal(400, 'upload_no_file', undefined, { field: 'file' }));
        return;
      }
      file.then((f) => resolve({ ...f, fields }), reject);
    });
    req.pipe(bb);
  });
}

export async function readUpload(req: Request, limit: number): Promise<UploadBody> {
  if (req.is('multipart/form-data')) return readMultipart(req, limit);
  const bytes = await readRaw(req, limit);
  const filename = dispositionFilename(req.headers['content-disposition']);
  return { bytes, fields: {}, ...(filename ? { filename } : {}) };
}
