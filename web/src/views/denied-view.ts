import { openLoginDialog } from '../app/login-dialog.js';
import type { AppContext } from '../app/context.js';
import { h } from '../lib/dom.js';

/**
 * A page the caller may not use (a police page for the public or a community account, the
 * upload page for an officer) says so and what to do, instead of showing the map as if the
 * link were wrong: sign in with an account that may, or go back to the map.
 */
export function deniedView(pageTitle: string, who: string) {
  return async (ctx: AppContext, main: HTMLElement): Promise<void> => {
    const signedIn = ctx.me.role !== 'public';
    main.append(h('section', { class: 'denied-page', role: 'alert' },
      h('h1', {}, signedIn ? '沒有使用這一頁的權限' : '請先登入'),
      h('p', {}, `「${pageTitle}」僅供${who}使用。${signedIn ? '你目前登入的帳號不能開啟這一頁；請改用有權限的帳號登入，或洽系統管理者。' : '請以有權限的帳號登入後再開啟。'}`),
      h('div', { class: 'actions start' },
        signedIn ? null : h('button', { type: 'button', class: 'primary', onclick: openLoginDialog }, '登入'),
        h('a', { class: 'button secondary', href: '/' }, '回到電子地圖'))));
  };
}
