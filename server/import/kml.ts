import { kml as kmlToGeoJson } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { refusal } from '../http/messages.js';
import { readGeoJson } from './geojson.js';
import type { SourceRecord } from './table.js';

/**
 * KML (and KMZ, its zip): placemarks with their name, description and ExtendedData values,
 * converted by @tmcw/togeojson. KML is WGS84 by definition. Style members togeojson adds are not
 * register columns and are dropped.
 */
const STYLE_KEYS = new Set(['styleUrl', 'styleHash', 'styleMapHash', 'stroke', 'stroke-opacity', 'stroke-width', 'fill', 'fill-opacity',
  'icon', 'icon-scale', 'icon-color', 'icon-opacity', 'label-scale', 'label-color', 'label-opacity', 'icon-offset', 'icon-offset-units',
  'marker-color', 'visibility', 'timespan', 'timestamp']);

export function readKml(text: string): { columns: string[]; records: SourceRecord[] } {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => { if (level !== 'warning') errors.push(message); } }).parseFromString(text, 'text/xml');
  if (errors.length > 0 || !doc.documentElement || doc.documentElement.nodeName.toLowerCase() !== 'kml') {
    throw refusal(400, 'unreadable_file', { problem: 'not_kml', ...(errors[0] === undefined ? {} : { detail: errors[0] }) }, { field: 'file' });
  }
  const collection = kmlToGeoJson(doc as unknown as Document);
  const { records } = readGeoJson(collection);
  for (const r of records) for (const k of Object.keys(r.cells)) if (STYLE_KEYS.has(k)) delete r.cells[k];
  const columns = [...new Set(records.flatMap((r) => Object.keys(r.cells)))];
  return { columns, records };
}

/** The encoding an XML prolog declares (`<?xml version="1.0" encoding="Big5"?>`), read from its ASCII bytes. */
export function xmlDeclaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  return /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
}
