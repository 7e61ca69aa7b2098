import { Router } from 'express';
import type { Principal } from '../auth/principal.js';
import { canRead, readableProperties, writeAccess } from './access.js';
import { LAYERS } from './registry.js';
import { ROLES, type LayerDef } from './types.js';

/** The registry as clients see it: only layers and properties the caller may read. */
export function describeLayer(layer: LayerDef, p: Principal) {
  return {
    id: layer.id,
    title: layer.title,
    geometry: layer.geometry,
    roles: ROLES.filter((r) => layer.access[r]),
    writable: (['create', 'update', 'delete'] as const).filter((op) => writeAccess(layer, p, op)),
    temporal: layer.temporal ?? null,
    properties: readableProperties(layer, p).map((prop) => ({
      name: prop.name,
      label: prop.label,
      type: prop.type.kind,
      ...(prop.type.kind === 'enum' ? { choices: prop.type.choices } : {}),
      ...(prop.required ? { required: true } : {}),
      ...(prop.derived ? { derived: true } : {}),
    })),
    features: `/api/layers/${layer.id}/features`,
    ...(layer.tiles ? { tiles: `/tiles/${layer.id}/{z}/{x}/{y}.mvt`, tilejson: `/tiles/${layer.id}.json`, ...layer.tiles } : {}),
    ...(layer.style ? { style: layer.style } : {}),
  };
}

export function layerRoutes(): Router {
  const r = Router();
  r.get('/api/layers', (req, res) => {
    res.json({ layers: LAYERS.filter((l) => canRead(l, req.principal)).map((l) => describeLayer(l, req.principal)) });
  });
  return r;
}
