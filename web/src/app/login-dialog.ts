import { ApiError } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { openFormDialog } from '../lib/form-dialog.js';
import { signIn } from './session.js';

/** The sign-in form; a successful sign-in reloads the page, whose map and layers follow the role. */
export function openLoginDialog(): void {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  openFormDialog({
    className: 'login-dialog', title: '登入', submitLabel: '登入',
    fields: [h('label', {}, '帳號', username), h('label', {}, '密碼', password)],
    submit: async ({ say }) => {
      try {
        await signIn(username.value.trim(), password.value);
      } catch (err) {
        say(err instanceof ApiError && err.status === 401 ? '帳號或密碼錯誤'
          : err instanceof ApiError && err.status === 429 ? '嘗試次數過多，請稍後再試' : '無法登入，請稍後再試');
        throw err;
      }
      location.reload();
    },
  });
  username.focus();
}
