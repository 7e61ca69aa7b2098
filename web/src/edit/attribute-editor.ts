import type { LayerInfo } from '../app/registry.js';
import { api } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { featureUrl, type Feature } from '../map/features.js';
import { featureForm } from './feature-form.js';
import { saveFeature } from './save-feature.js';

/**
 * Editing a feature's properties (a camera's status, a key place's listing): the registry's form,
 * limited to the fields the role may change, saved as a PATCH of what changed.
 */
export async function editAttributes(host: HTMLElement, layer: LayerInfo, id: number, onDone: (message?: string) => void): Promise<void> {
  const { body: f, etag } = await api.getWithTag<Feature>(featureUrl(layer.id, id));
  const name = String(f.properties[layer.label] ?? `#${id}`);
  const form = featureForm(layer, f.properties, () => [], layer.writableFields);
  const message = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'button', class: 'primary', onclick: async () => {
    const changes = form.changed();
    // Saving what was there is no change: nothing is sent, no new version, and the user is told so.
    if (Object.keys(changes).length === 0) {
      onDone(`${layer.title}「${name}」沒有變更`);
      return;
    }
    save.disabled = true;
    const refused = await saveFeature({
      layer, form, message, existing: { id, etag: etag ?? `"${f.properties.version}"`, name },
      body: { properties: changes }, reload: () => void editAttributes(host, layer, id, onDone),
    });
    save.disabled = false;
    if (refused === null) onDone(`已儲存${layer.title}「${name}」`);
  } }, '儲存');
  replace(host, h('h2', {}, `編輯${layer.title}「${name}」`), form.element, message,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => onDone() }, '取消'), save));
}
