import { h } from '../lib/dom.js';
import type { AppContext } from './context.js';
import { openLoginDialog } from './login-dialog.js';
import { isInternal, isPlanner, ROLE_LABELS, signOut } from './session.js';

/** The pages of the app; the server answers index.html for each and the app picks the view. */
export const PAGES = [
  { path: '/', title: '電子地圖', who: 'all' },
  { path: '/briefing', title: '勤前簡報', who: 'internal' },
  { path: '/rollups', title: '彙整報表', who: 'internal' },
  { path: '/community', title: '社區檢視', who: 'all' },
  { path: '/import', title: '匯入資料', who: 'planners' },
] as const;

/**
 * The frame around every view: the title, the pages the caller may use, room for a search
 * box, and who is signed in. Returns the element views fill.
 */
export function renderShell(ctx: AppContext, current: string): { main: HTMLElement; tools: HTMLElement } {
  const { me } = ctx;
  const pages = PAGES.filter((p) => p.who === 'all' || (p.who === 'planners' ? isPlanner(me) : isInternal(me)));
  const tools = h('div', { class: 'header-tools' });
  const account = me.role === 'public'
    ? h('button', { class: 'secondary login', onclick: openLoginDialog }, '登入')
    : h('div', { class: 'account' },
      h('span', { class: 'who', title: me.username }, `${ROLE_LABELS[me.role]}${me.precinctCode ? `・${me.beatCode ?? me.precinctCode}` : ''}`),
      h('button', { class: 'secondary', onclick: async () => { await signOut(); location.assign('/'); } }, '登出'));
  // A seeded demo says so on every page: its key places, cameras and incidents are made up.
  const demo = ctx.config.demo
    ? h('details', { class: 'demo-chip' }, h('summary', { title: ctx.config.demo.note }, ctx.config.demo.label), h('p', {}, ctx.config.demo.note))
    : null;
  const header = h('header', { class: 'app-header' },
    h('a', { class: 'brand', href: '/' }, h('span', { class: 'brand-full' }, '社區治安電子地圖'), h('span', { class: 'brand-short' }, '治安地圖')),
    demo,
    h('nav', { class: 'pages' }, pages.map((p) => h('a', { href: p.path, class: p.path === current ? 'current' : '', 'aria-current': p.path === current ? 'page' : undefined }, p.title))),
    tools,
    account);
  const main = h('main', { class: 'app-main' });
  document.getElementById('app')!.replaceChildren(header, main);
  return { main, tools };
}
