import { h } from '../lib/dom.js';

/**
 * Explains a 412: someone changed the feature after it was read, so the edit was not saved.
 * Offers to load the current version (the person then applies their change again).
 */
export function showConflict(what: string, mine: string, current: string | undefined, reload: () => void): void {
  const version = (etag: string | undefined) => etag?.replace(/\D/g, '') ?? '?';
  const dialog = h('dialog', { class: 'conflict-dialog', role: 'alertdialog' },
    h('h2', {}, '資料已被他人修改'),
    h('p', {}, `${what}在你讀取之後已被其他人修改（你讀到的是第 ${version(mine)} 版，目前是第 ${version(current)} 版），你的修改沒有儲存。`),
    h('p', {}, '請重新載入最新的資料，再做一次修改。'),
    h('div', { class: 'actions' },
      h('button', { class: 'secondary', onclick: () => dialog.close() }, '關閉'),
      h('button', { class: 'primary', onclick: () => { dialog.close(); reload(); } }, '重新載入最新資料')));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
