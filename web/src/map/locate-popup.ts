import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';

/** GET /api/locate: which 村里, 警勤區, 派出所 and 分局 a point belongs to (server/units/locate.ts). */
export interface Location {
  beat: { code: string; name: string } | null;
  station: { code: string; name: string; address: string | null; phone: string | null } | null;
  precinct: { code: string; name: string; address: string | null; phone: string | null } | null;
  village: { code: string; name: string; town: string | null; county: string | null } | null;
}

export const locate = (lon: number, lat: number) =>
  api.get<Location>(`/api/locate?lon=${lon.toFixed(7)}&lat=${lat.toFixed(7)}`);

/** 03 3622987 → a tel: link a phone can dial. */
const telLink = (phone: string) => h('a', { href: `tel:${phone.replace(/[^\d+]/g, '')}` }, phone);

/**
 * 「這裡歸哪個派出所？」: the answer to a click anywhere, for anyone: the 村里 and district, the
 * 警勤區, and the 派出所 and 分局 by name with their address and a phone number to call.
 */
export function locationDetails(where: Location): HTMLElement {
  const rows: [string, (string | HTMLElement)[]][] = [];
  if (where.village) rows.push(['村里', [`${where.village.county ?? ''}${where.village.town ?? ''}${where.village.name}`]]);
  if (where.station) {
    rows.push(['派出所', [where.station.name]]);
    if (where.station.address) rows.push(['地址', [where.station.address]]);
    if (where.station.phone) rows.push(['電話', [telLink(where.station.phone)]]);
  }
  if (where.beat) rows.push(['警勤區', [`${where.station?.name ?? ''}${where.beat.name}`]]);
  if (where.precinct) rows.push(['分局', [where.precinct.name, ...(where.precinct.phone ? ['　', telLink(where.precinct.phone)] : [])]]);
  return h('div', { class: 'feature-details location-details' },
    h('h3', {}, h('span', { class: 'layer-title' }, '這裡歸'), where.station?.name ?? where.village?.name ?? '不在任何轄區內'),
    rows.length ? h('table', {}, rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, ...v)))) : h('p', {}, '此處不在本系統的警勤區內。'));
}
