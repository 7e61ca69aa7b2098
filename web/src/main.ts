import { loadConfig } from './app/config.js';
import type { AppContext } from './app/context.js';
import { Registry } from './app/registry.js';
import { currentUser, isInternal, isPlanner } from './app/session.js';
import { renderShell } from './app/shell.js';
import { h } from './lib/dom.js';
import './styles/app.css';
import { briefingView } from './views/briefing-view.js';
import { communityView } from './views/community-view.js';
import { importView } from './views/import-view.js';
import { mapView } from './views/map-view.js';
import { rollupsView } from './views/rollups-view.js';

type View = (ctx: AppContext, main: HTMLElement, tools: HTMLElement) => Promise<void>;

/** Which view a path shows; the briefing and the roll-ups are for police accounts only. */
function viewFor(path: string, ctx: AppContext): { path: string; view: View } {
  if (path.startsWith('/briefing') && isInternal(ctx.me)) return { path: '/briefing', view: briefingView };
  if (path.startsWith('/rollups') && isInternal(ctx.me)) return { path: '/rollups', view: rollupsView };
  if (path.startsWith('/community')) return { path: '/community', view: communityView };
  if (path.startsWith('/import') && isPlanner(ctx.me)) return { path: '/import', view: importView };
  return { path: '/', view: mapView };
}

async function boot(): Promise<void> {
  // Who is asking first: a stale session cookie is cleared here, before the other calls.
  const me = await currentUser();
  const [registry, config] = await Promise.all([Registry.load(), loadConfig()]);
  const ctx: AppContext = { me, registry, config };
  const { path, view } = viewFor(location.pathname, ctx);
  const { main, tools } = renderShell(ctx, path);
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
