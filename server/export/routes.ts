import { Router, type Response } from 'express';
import type { Db } from '../db/db.js';
import { instanceId } from '../db/instance.js';
import { parseListQuery } from '../features/list-query.js';
import { layerOf } from '../features/routes.js';
import { refusal } from '../http/messages.js';
import { single } from '../http/parameters.js';
import { encodeText, parseOutputEncodingParam, type OutputEncoding } from '../import/encoding.js';
import { sridNamed } from '../import/crs.js';
import { taiwanToday } from '../rollups/period.js';
import { isInternal } from '../layers/access.js';
import type { LayerDef } from '../layers/types.js';
import { csvWriter, type HeaderStyle } from './csv.js';
import { kmlWriter } from './kml.js';
import { exportPages } from './pages.js';

/**
 * GET /api/export/{layer}: every feature of a layer the caller may read, filtered as the feature
 * listing filters (bbox, datetime, property filters), as a file: GeoJSON (RFC 7946), CSV (UTF-8
 * with a byte-order mark so Excel reads it, or Big5; WGS84 or TWD97 coordinates) or KML.
 * Public callers get what the public may see and nothing else, as in the feature API.
 */

const FORMATS = { geojson: 'application/geo+json', csv: 'text/csv', kml: 'application/vnd.google-earth.kml+xml' } as const;
type Format = keyof typeof FORMATS;
/** Parameters of the export itself; the rest are the listing's filters. */
const OWN = ['format', 'crs', 'encoding', 'header'];

interface ExportOptions { format: Format; projected: boolean; encoding: OutputEncoding; header: HeaderStyle }

function exportOptions(query: Record<string, unknown>): ExportOptions {
  const get = (name: string) => (query[name] === undefined ? undefined : single(query[name], name));
  const format = (get('format') ?? 'geojson').toLowerCase();
  if (!(format in FORMATS)) throw refusal(400, 'export_format', { value: format, formats: Object.keys(FORMATS) }, { field: 'format' });
  const crs = get('crs') ?? 'EPSG:4326';
  const srid = sridNamed(crs);
  if (srid !== 4326 && srid !== 3826) throw refusal(400, 'export_crs', { value: crs }, { field: 'crs' });
  const projected = srid === 3826;
  const formatName = format === 'kml' ? 'KML' : format === 'csv' ? 'CSV' : 'GeoJSON（RFC 7946）';
  if (projected && format !== 'csv') throw refusal(400, 'export_crs_csv_only', { format: formatName }, { field: 'crs' });
  const encoding = parseOutputEncodingParam(get('encoding') ?? 'utf-8');
  if (encoding !== 'utf-8' && format !== 'csv') throw refusal(400, 'export_encoding_csv_only', { format: formatName }, { field: 'encoding' });
  const header = get('header') ?? 'label';
  if (header !== 'label' && header !== 'name') throw refusal(400, 'export_header', { value: header }, { field: 'header' });
  return { format: format as Format, projected, encoding, header };
}

function attachment(res: Response, layer: LayerDef, o: ExportOptions): void {
  const day = taiwanToday().replace(/-/g, '');
  const ext = o.format === 'geojson' ? 'geojson' : o.format;
  const type = o.format === 'csv' ? `text/csv; charset=${o.encoding === 'big5' ? 'big5' : 'utf-8'}` : `${FORMATS[o.format]}; charset=utf-8`;
  res.status(200).type(type).set('Content-Disposition', `attachment; filename="${layer.id}-${day}.${ext}"`);
}

export function exportRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/export/:layer', async (req, res) => {
    const layer = layerOf(req);
    const query = req.query as Record<string, unknown>;
    const o = exportOptions(query);
    for (const name of ['limit', 'cursor']) if (query[name] !== undefined) throw refusal(400, 'export_no_paging', { field: name }, { field: name });
    const filters = Object.fromEntries(Object.entries(query).filter(([k]) => !OWN.includes(k)));
    const q = parseListQuery(layer, req.principal, filters, { alsoAccepted: OWN });
    // Coordinate columns are CSV's; GeoJSON and KML carry the feature's geometry.
    const pages = exportPages(db, layer, req.principal, q, o.format !== 'csv' ? undefined : o.projected ? { srid: 3826, decimals: 2 } : { srid: 4326, decimals: 7 });
    // The first page is read before the answer starts, so a database error is still a clean error answer.
    const instance = await instanceId(db);
    let first = await pages.next();
    attachment(res, layer, o);
    let count = 0;
    let replaced = 0;
    if (o.format === 'csv') {
      const csv = csvWriter(layer, req.principal, o.header, o.projected, instance);
      const head = encodeText(csv.header, o.encoding);
      res.write(head.bytes);
      for (; !first.done; first = await pages.next()) {
        const encoded = encodeText(csv.rows(first.value), o.encoding, { bom: false });
        replaced += encoded.replaced;
        res.write(encoded.bytes);
        count += first.value.length;
      }
    } else if (o.format === 'kml') {
      const kml = kmlWriter(layer, req.principal, instance);
      res.write(kml.head);
      for (; !first.done; first = await pages.next()) {
        res.write(kml.rows(first.value));
        count += first.value.length;
      }
      res.write(kml.tail);
    } else {
      res.write(`{"type":"FeatureCollection","name":${JSON.stringify(layer.id)},"instance":"${instance}","features":[`);
      for (; !first.done; first = await pages.next()) {
        res.write(`${count > 0 ? ',' : ''}${first.value.map((x) => JSON.stringify(x.feature)).join(',')}`);
        count += first.value.length;
      }
      res.write(']}\n');
    }
    // Noted before the answer ends, so whoever reads the audit log after an export finds it.
    if (isInternal(req.principal)) {
      await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'export', $2::jsonb)`,
        [req.principal.username, JSON.stringify({ layer: layer.id, format: o.format, count, replaced, filters })]).catch(() => undefined);
    }
    res.end();
  });
  return r;
}
