import { ApiError } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { signIn } from './session.js';

/** The sign-in form; a successful sign-in reloads the page, whose map and layers follow the role. */
export function openLoginDialog(): void {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const dialog = h('dialog', { class: 'login-dialog' },
    h('form', {
      method: 'dialog',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        try {
          await signIn(username.value.trim(), password.value);
          location.reload();
        } catch (err) {
          error.textContent = err instanceof ApiError && err.status === 401 ? '帳號或密碼錯誤'
            : err instanceof ApiError && err.status === 429 ? '嘗試次數過多，請稍後再試' : '無法登入，請稍後再試';
        }
      },
    },
    h('h2', {}, '登入'),
    h('label', {}, '帳號', username),
    h('label', {}, '密碼', password),
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, '取消'),
      h('button', { type: 'submit', class: 'primary' }, '登入'))));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  username.focus();
}
