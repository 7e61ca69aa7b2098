import QRCode from 'qrcode';
import type { AppContext } from '../app/context.js';
import { choiceLabel } from '../app/registry.js';
import { api } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';

interface Code { id: number; name: string; kind: string; beat: string | null; station: string | null; token: string }

/** What a point's QR code opens: the e-map, which signs the officer in with the code. */
export const signInLink = (token: string) => `${location.origin}/?signin=${encodeURIComponent(token)}`;

/** The QR code of a link, as an SVG element (made here: nothing is fetched from elsewhere). */
async function qrSvg(text: string): Promise<Element> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement;
}

/**
 * 巡簽點 QR code (planners): a card per patrol point of the precinct, grouped by 派出所, with its
 * QR code, name, kind and beat, to print and stick on the 巡邏箱 or 簽章表. An officer who scans
 * one with the phone's camera opens the e-map and is signed in at that point.
 */
export async function patrolCodesView(ctx: AppContext, main: HTMLElement): Promise<void> {
  const points = ctx.registry.get('patrol-points');
  const body = h('div', { class: 'code-groups' }, h('p', { class: 'hint' }, '讀取中…'));
  main.append(h('section', { class: 'patrol-codes' },
    h('h1', {}, '巡簽點 QR code'),
    h('div', { class: 'toolbar actions start' },
      h('p', { class: 'hint' }, '剪下後貼在巡邏箱或簽章表旁；員警以手機相機掃描即可簽到（須以員警帳號登入）。'),
      h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, '列印')),
    body));
  const { codes, truncated } = await api.get<{ codes: Code[]; truncated?: string }>('/api/patrol-points/codes');
  if (codes.length === 0) {
    replace(body, h('p', { class: 'legend-note' }, '轄區內還沒有巡簽點：請先在地圖上或以「匯入資料」建立巡簽點。'));
    return;
  }
  const stations = [...new Set(codes.map((c) => c.station ?? '轄區外'))];
  const groups: HTMLElement[] = [];
  for (const station of stations) {
    const cards = await Promise.all(codes.filter((c) => (c.station ?? '轄區外') === station).map((c) => card(c, choiceLabel(points, 'kind', c.kind))));
    groups.push(h('section', { class: 'code-group' }, h('h2', {}, station), h('div', { class: 'code-cards' }, cards)));
  }
  replace(body, ...groups);
  if (truncated) body.prepend(h('p', { class: 'warning', role: 'alert' }, truncated));
}

/** One point's card; 重新產生 voids its printed code (a copy of it may be about) and draws the new one. */
async function card(c: Code, kind: string): Promise<HTMLElement> {
  const figure = h('figure', { class: 'code-card', dataset: { point: c.id, link: signInLink(c.token) } });
  const draw = async (token: string) => {
    figure.dataset.link = signInLink(token);
    replace(figure, await qrSvg(signInLink(token)),
      h('figcaption', {}, h('h3', {}, c.name), h('p', {}, `${kind}・${c.beat ?? '轄區外'}`)),
      h('button', { type: 'button', class: 'small secondary no-print', dataset: { action: 'new-code' }, onclick: () => void renew() }, '重新產生'));
  };
  const renew = async () => {
    if (!window.confirm(`重新產生「${c.name}」的 QR code？舊的 QR code 將不能再簽到，須換貼新的。`)) return;
    const r = await api.post<{ token: string; message: string }>(`/api/patrol-points/${c.id}/new-code`);
    await draw(r.body.token);
    figure.append(h('p', { class: 'notice', role: 'status' }, r.body.message));
  };
  await draw(c.token);
  return figure;
}
