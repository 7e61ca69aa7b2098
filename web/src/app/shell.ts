import { h } from '../lib/dom.js';
import type { AppContext } from './context.js';
import { openLoginDialog } from './login-dialog.js';
import { unitName } from '../map/display-names.js';
import { isInternal, isPlanner, ROLE_LABELS, signOut, type Me } from './session.js';

/** The pages of the app; the server answers index.html for each and the app picks the view. */
export const PAGES = [
  { path: '/', title: '電子地圖', who: 'all' },
  { path: '/briefing', title: '勤前簡報', who: 'internal' },
  { path: '/rollups', title: '彙整報表', who: 'internal' },
  { path: '/community', title: '社區檢視', who: 'all' },
  { path: '/import', title: '匯入資料', who: 'planners' },
  { path: '/patrol-codes', title: '巡簽 QR code', who: 'planners' },
  { path: '/patrol-plans', title: '巡邏計畫', who: 'internal' },
  { path: '/admin', title: '帳號管理', who: 'admin' },
] as const;

/** Whether an account may use a page (the server refuses the data to others in any case). */
export const mayUse = (page: (typeof PAGES)[number], me: Me) =>
  page.who === 'all' || (page.who === 'admin' ? me.role === 'admin' : page.who === 'planners' ? isPlanner(me) : isInternal(me));

/** The role and, by name, the unit of who is signed in: 「警勤區員警・大樹派出所第1警勤區」. */
function whoIsSignedIn(me: Me, named: () => void): HTMLElement {
  const who = h('span', { class: 'who', title: me.username }, ROLE_LABELS[me.role]);
  const code = me.beatCode ?? me.precinctCode;
  if (code) {
    void unitName(code).then((name) => {
      who.textContent = `${ROLE_LABELS[me.role]}・${name}`;
      named();
    });
  }
  return who;
}

/**
 * The frame around every view: the title, the pages the caller may use, room for a search
 * box, and who is signed in. Returns the element views fill.
 */
export function renderShell(ctx: AppContext, current: string): { main: HTMLElement; tools: HTMLElement } {
  const { me } = ctx;
  const pages = PAGES.filter((p) => mayUse(p, me));
  // Set once the header is laid out: the account's unit name arrives later and widens it.
  let refit = () => undefined as void;
  const tools = h('div', { class: 'header-tools' });
  const account = me.role === 'public'
    ? h('button', { class: 'secondary login', onclick: openLoginDialog }, '登入')
    : h('div', { class: 'account' },
      whoIsSignedIn(me, () => refit()),
      h('button', { class: 'secondary', onclick: async () => { await signOut(); location.assign('/'); } }, '登出'));
  // A seeded demo says so on every page: its key places, cameras and incidents are made up.
  const demo = ctx.config.demo
    ? h('details', { class: 'demo-chip' }, h('summary', { title: ctx.config.demo.note }, ctx.config.demo.label), h('p', {}, ctx.config.demo.note))
    : null;
  // On a phone the pages and the account fold into a menu, so the header is one line.
  const menu = h('button', {
    type: 'button', class: 'menu-toggle', 'aria-expanded': 'false', 'aria-controls': 'app-menu', 'aria-label': '選單',
    onclick: () => menu.setAttribute('aria-expanded', String(header.classList.toggle('menu-open'))),
  }, '☰');
  const header = h('header', { class: 'app-header' },
    h('a', { class: 'brand', href: '/' }, h('span', { class: 'brand-full' }, '社區治安電子地圖'), h('span', { class: 'brand-short' }, '治安地圖')),
    demo,
    tools,
    menu,
    h('div', { class: 'app-menu', id: 'app-menu' },
      h('nav', { class: 'pages', 'aria-label': '頁面' }, pages.map((p) => h('a', { href: p.path, class: p.path === current ? 'current' : '', 'aria-current': p.path === current ? 'page' : undefined }, p.title))),
      account));
  const main = h('main', { class: 'app-main' });
  document.getElementById('app')!.replaceChildren(header, main);
  refit = fitHeader(header);
  return { main, tools };
}

/** Widths at which the header is always compact (a phone). */
const PHONE_WIDTH = 720;

/**
 * The header folds its pages and account into the menu on a phone, and on a wider window too
 * narrow for every page the account may use (a planner has seven; a 1,000-pixel laptop cannot
 * show them all and who is signed in on one line): measured with everything laid out on the
 * line, again when the window is resized.
 */
function fitHeader(header: HTMLElement): () => void {
  const fit = () => {
    header.classList.remove('compact');
    const tooNarrow = window.innerWidth <= PHONE_WIDTH || header.scrollWidth > header.clientWidth + 1;
    header.classList.toggle('compact', tooNarrow);
  };
  fit();
  // Text is measured again once the fonts are in (a fallback font's widths differ).
  void document.fonts?.ready.then(fit);
  window.addEventListener('resize', fit);
  return fit;
}
