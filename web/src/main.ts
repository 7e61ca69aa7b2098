import { loadConfig } from './app/config.js';
import type { AppContext } from './app/context.js';
import { Registry } from './app/registry.js';
import { currentUser } from './app/session.js';
import { mayUse, PAGES, renderShell } from './app/shell.js';
import { h } from './lib/dom.js';
import './styles/app.css';
import { deniedView } from './views/denied-view.js';
type View = (ctx: AppContext, main: HTMLElement, tools: HTMLElement) => Promise<void>;

/**
 * Each page's view, its own chunk, so a page loads only its own code (an officer's map no
 * import or chart code).
 */
const VIEWS: Record<(typeof PAGES)[number]['path'], () => Promise<View>> = {
  '/': async () => (await import('./views/map-view.js')).mapView,
  '/briefing': async () => (await import('./views/briefing-view.js')).briefingView,
  '/rollups': async () => (await import('./views/rollups-view.js')).rollupsView,
  '/community': async () => (await import('./views/community-view.js')).communityView,
  '/import': async () => (await import('./views/import-view.js')).importView,
  '/patrol-codes': async () => (await import('./views/patrol-codes-view.js')).patrolCodesView,
  '/patrol-plans': async () => (await import('./views/patrol-plans-view.js')).patrolPlansView,
  '/admin': async () => (await import('./views/admin-view.js')).adminView,
};

/** Who may use a page, as the page tells anyone else. */
const WHO_MAY = { all: '所有人', internal: '警察帳號', planners: '分局承辦人與警察局', admin: '警察局管理者' } as const;

const pageOf = (path: string) => PAGES.find((p) => p.path !== '/' && path.startsWith(p.path)) ?? PAGES[0];

async function boot(): Promise<void> {
  const page = pageOf(location.pathname);
  // The page's code is fetched while the account, layers and configuration are asked for (on
  // mobile data every round trip counts); it runs only if the account may use the page.
  const code = VIEWS[page.path]();
  code.catch(() => undefined);
  // Who is asking first: a stale session cookie is cleared here, before the other calls.
  const me = await currentUser();
  const [registry, config] = await Promise.all([Registry.load(), loadConfig()]);
  const ctx: AppContext = { me, registry, config };
  // A page the caller may not use says so (the server keeps its data from them anyway).
  const view = mayUse(page, me) ? await code : deniedView(page.title, WHO_MAY[page.who]);
  const { main, tools } = renderShell(ctx, page.path);
  await view(ctx, main, tools);
  performance.mark('emap:ready');
  document.body.dataset.ready = 'true';
}

boot().catch((err: unknown) => {
  console.error(err);
  document.getElementById('app')!.replaceChildren(
    h('div', { class: 'fatal' }, h('h1', {}, '無法載入電子地圖'), h('p', {}, '請確認服務是否運作中，稍後再重新整理頁面。'),
      h('pre', {}, err instanceof Error ? err.message : String(err))));
});
