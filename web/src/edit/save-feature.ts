import type { LayerInfo } from '../app/registry.js';
import { api, ApiError } from '../lib/api.js';
import { featureUrl } from '../map/features.js';
import { showConflict } from './conflict-dialog.js';
import type { FeatureForm } from './feature-form.js';

export interface SaveTarget {
  layer: LayerInfo;
  /** The feature being changed, with the ETag it was read at; absent for a new one. */
  existing?: { id: number; etag: string; name: string };
  /** The GeoJSON body: a whole Feature for a create, the changed parts for a PATCH. */
  body: unknown;
  /** Where field errors go (properties.x); others go to `message`. */
  form?: FeatureForm;
  message: HTMLElement;
  /** Loads the current version again after a 412. */
  reload: () => void;
}

/**
 * Creates or updates a feature and explains any refusal: field errors next to their input,
 * a 412 with the conflict dialog, anything else in the message line. Resolves to the server's
 * message when it was not saved (so a caller can show it on the map), or null when it was.
 */
export async function saveFeature(t: SaveTarget): Promise<string | null> {
  t.form?.clearErrors();
  t.message.hidden = true;
  try {
    if (t.existing) await api.patch(featureUrl(t.layer.id, t.existing.id), t.body, t.existing.etag);
    else await api.post(`/api/layers/${t.layer.id}/features`, t.body);
    return null;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    if (err instanceof ApiError && err.status === 412 && t.existing) {
      showConflict(`${t.layer.title}「${t.existing.name}」`, t.existing.etag, err.etag, t.reload);
      return text;
    }
    if (err instanceof ApiError && t.form?.showError(err.field, text)) return text;
    t.message.textContent = text;
    t.message.hidden = false;
    return text;
  }
}
