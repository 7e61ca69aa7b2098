import { loadConfig } from './app/config.js';
import type { AppContext } from './app/context.js';
import { Registry } from './app/registry.js';
import { currentUser, isInternal, isPlanner } from './app/session.js';
import { renderShell } from './app/shell.js';
import { h } from './lib/dom.js';
import './styles/app.css';
type View = (ctx: AppContext, main: HTMLElement, tools: HTMLElement) => Promise<void>;

/**
 * Which view a path shows; the briefing and the roll-ups are for police accounts only. Each view
 * is its own chunk, so a page loads only its own code (an officer's map no import or chart code).
 */
function viewFor(path: string, ctx: AppContext): { path: string; view: () => Promise<View> } {
  if (path.startsWith('/briefing') && isInternal(ctx.me)) return { path: '/briefing', view: async () => (await import('./views/briefing-view.js')).briefingView };
  if (path.startsWith('/rollups') && isInternal(ctx.me)) return { path: '/rollups', view: async () => (await import('./views/rollups-view.js')).rollupsView };
  if (path.startsWith('/community')) return { path: '/community', view: async () => (await import('./views/community-view.js')).communityView };
  if (path.startsWith('/import') && isPlanner(ctx.me)) return { path: '/import', view: async () => (await import('./views/import-view.js')).importView };
  return { path: '/', view: async () => (await import('./views/map-view.js')).mapView };
}

async function boot(): Promise<void> {
  // Who is asking first: a stale session cookie is cleared here, before the other calls.
  const me = await currentUser();
  const [registry, config] = await Promise.all([Registry.load(), loadConfig()]);
  const ctx: AppContext = { me, registry, config };
  const { path, view } = viewFor(location.pathname, ctx);
  const { main, tools } = renderShell(ctx, path);
  await (await view())(ctx, main, tools);
  performance.mark('emap:ready');
  document.body.dataset.ready = 'true';
}

boot().catch((err: unknown) => {
  console.error(err);
  document.getElementById('app')!.replaceChildren(
    h('div', { class: 'fatal' }, h('h1', {}, '無法載入電子地圖'), h('p', {}, '請確認服務是否運作中，稍後再重新整理頁面。'),
      h('pre', {}, err instanceof Error ? err.message : String(err))));
});
