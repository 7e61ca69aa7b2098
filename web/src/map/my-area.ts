import { api } from '../lib/api.js';

/** GET /api/me/area (server/auth/my-area.ts): a community account's 村里 and outline. */
export interface MyArea {
  villages: { code: string; name: string; town: string | null; county: string | null }[];
  bbox: [number, number, number, number];
  geometry: GeoJSON.MultiPolygon;
}

export const myArea = async () => (await api.get<{ area: MyArea | null }>('/api/me/area')).area;

/** How a community account's area reads: 「桃園區大豐里」, or 「社區範圍」 for a drawn one. */
export const areaName = (a: MyArea) =>
  a.villages.length ? a.villages.map((v) => `${v.town ?? ''}${v.name}`).join('、') : '社區範圍';
