import type { AppContext } from '../app/context.js';
import { api, ApiError } from '../lib/api.js';
import { openFormDialog } from '../lib/form-dialog.js';
import { featureForm } from './feature-form.js';

/**
 * Recording a 查訪 of a key place: time (now by default), outcome and findings, written to the
 * visits layer; the place's last visit is then derived by the server.
 */
export function openVisitDialog(ctx: AppContext, place: { id: number; name: string }, onSaved: () => void): void {
  const visits = ctx.registry.get('visits');
  if (!visits) return;
  const form = featureForm(visits, { officer: ctx.me.username, visited_at: new Date().toISOString(), outcome: 'normal' }, () => [],
    ['officer', 'visited_at', 'outcome', 'findings']);
  openFormDialog({
    className: 'visit-dialog', title: `紀錄查訪：${place.name}`, submitLabel: '儲存查訪', fields: [form.element],
    submit: async ({ say }) => {
      form.clearErrors();
      try {
        await api.post('/api/layers/visits/features', { type: 'Feature', geometry: null, properties: { ...form.values(), place_id: place.id } });
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        if (!(err instanceof ApiError && form.showError(err.field, text))) say(text);
        throw err;
      }
      onSaved();
    },
  });
}
