import type { AppContext } from '../app/context.js';
import { api, ApiError } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { featureForm } from './feature-form.js';

/**
 * Recording a 查訪 of a key place: time (now by default), outcome and findings, written to the
 * visits layer; the place's last visit is then derived by the server.
 */
export function openVisitDialog(ctx: AppContext, place: { id: number; name: string }, onSaved: () => void): void {
  const visits = ctx.registry.get('visits');
  if (!visits) return;
  const now = new Date().toISOString();
  const form = featureForm(visits, { officer: ctx.me.username, visited_at: now, outcome: 'normal' }, () => [],
    ['officer', 'visited_at', 'outcome', 'findings']);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const dialog = h('dialog', { class: 'visit-dialog' },
    h('form', {
      method: 'dialog',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        form.clearErrors();
        error.hidden = true;
        try {
          await api.post('/api/layers/visits/features', { type: 'Feature', geometry: null, properties: { ...form.values(), place_id: place.id } });
          dialog.close();
          onSaved();
        } catch (err) {
          const text = err instanceof Error ? err.message : String(err);
          if (!(err instanceof ApiError && form.showError(err.field, text))) {
            error.textContent = text;
            error.hidden = false;
          }
        }
      },
    },
    h('h2', {}, `紀錄查訪：${place.name}`),
    form.element,
    error,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, '取消'),
      h('button', { type: 'submit', class: 'primary' }, '儲存查訪'))));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}
