import { Router } from 'express';
import type { Principal } from '../auth/principal.js';
import { canRead, readableProperties, writeAccess } from './access.js';
import { legendOf } from './legend.js';
import { LAYERS } from './registry.js';
import { ROLES, type LayerDef, type PropertyType } from './types.js';
import { INDICATOR_SIGNS, INDICATOR_TYPES } from './vocabularies.js';

/** What a form needs to know of a property's type beyond its kind: ranges, lengths, targets. */
function typeDetails(t: PropertyType): Record<string, unknown> {
  switch (t.kind) {
    case 'enum': return { choices: t.choices };
    case 'text': return { maxLength: t.maxLength };
    case 'integer': return { min: t.min, max: t.max === 'current-year' ? new Date().getFullYear() : t.max };
    case 'number': return { min: t.min, max: t.max, ...(t.minExclusive ? { minExclusive: true } : {}), ...(t.maxExclusive ? { maxExclusive: true } : {}) };
    case 'reference': case 'ids': return { layer: t.layer };
    case 'timestamp': return t.notInFuture ? { notInFuture: true } : {};
    // Crime-indicator types and signs are stored as codes; a client shows their labels.
    case 'indicators': return { choices: INDICATOR_TYPES, signs: INDICATOR_SIGNS };
    default: return {};
  }
}

/** The registry as clients see it: only layers and properties the caller may read. */
export function describeLayer(layer: LayerDef, p: Principal) {
  return {
    id: layer.id,
    title: layer.title,
    geometry: layer.geometry,
    roles: ROLES.filter((r) => layer.access[r]),
    writable: (['create', 'update', 'delete'] as const).filter((op) => writeAccess(layer, p, op)),
    temporal: layer.temporal ?? null,
    label: layer.label,
    ...(layer.ground ? { ground: true } : {}),
    ...(layer.attribution ? { attribution: layer.attribution } : {}),
    properties: readableProperties(layer, p).map((prop) => ({
      name: prop.name,
      label: prop.label,
      type: prop.type.kind,
      ...typeDetails(prop.type),
      ...(prop.required ? { required: true } : {}),
      ...(prop.derived ? { derived: true } : {}),
      ...(prop.unitCode ? { unitCode: prop.unitCode } : {}),
    })),
    // A role limited to some fields (an officer sets a camera's status) is told which.
    ...(writeAccess(layer, p, 'update')?.fields ? { writableFields: writeAccess(layer, p, 'update')!.fields } : {}),
    search: (layer.search ?? []).filter((name) => readableProperties(layer, p).some((prop) => prop.name === name)),
    features: `/api/layers/${layer.id}/features`,
    ...(layer.tiles ? { tiles: `/tiles/${layer.id}/{z}/{x}/{y}.mvt`, tilejson: `/tiles/${layer.id}.json`, ...layer.tiles } : {}),
    ...(layer.style ? { style: layer.style, legend: legendOf(layer) } : {}),
  };
}

export function layerRoutes(): Router {
  const r = Router();
  r.get('/api/layers', (req, res) => {
    res.json({ layers: LAYERS.filter((l) => canRead(l, req.principal)).map((l) => describeLayer(l, req.principal)) });
  });
  return r;
}
