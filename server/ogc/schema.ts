import type { Principal } from '../auth/principal.js';
import { readableProperties } from '../layers/access.js';
import type { LayerDef, PropertyDef, PropertyType } from '../layers/types.js';

/**
 * JSON Schema of a collection's GeoJSON features, from the registry and limited to what the
 * caller may read. Linked from the collection as `describedby`: GDAL's OAPIF driver builds the
 * layer's fields from it rather than guessing from the first page (which would make a range of
 * 40 m an Integer field, or miss a property that is null on every feature of that page).
 *
 * GDAL reads one `type` per property, so nullability is not spelt as `["string", "null"]`:
 * any property not listed in `required` may be null.
 */

type JsonSchema = Record<string, unknown>;

function valueSchema(t: PropertyType): JsonSchema {
  switch (t.kind) {
    case 'text':
      return { type: 'string', maxLength: t.maxLength };
    case 'enum':
      return { type: 'string', enum: t.choices.map((c) => c.value) };
    case 'integer':
      return { type: 'integer', minimum: t.min, ...(typeof t.max === 'number' ? { maximum: t.max } : {}) };
    case 'number':
      return {
        type: 'number',
        ...(t.minExclusive ? { exclusiveMinimum: t.min } : { minimum: t.min }),
        ...(t.maxExclusive ? { exclusiveMaximum: t.max } : { maximum: t.max }),
      };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'timestamp':
      return { type: 'string', format: 'date-time' };
    case 'ids':
      return { type: 'array', items: { type: 'integer' }, description: `ids of features in ${t.layer}` };
    case 'reference':
      return { type: 'integer', description: `id of a feature in ${t.layer}` };
    case 'indicators':
      return { type: 'object', description: 'observed signs by indicator type' };
  }
}

const propertySchema = (prop: PropertyDef): JsonSchema => ({
  title: prop.label,
  ...valueSchema(prop.type),
  ...(prop.derived ? { readOnly: true } : {}),
});

export function featureSchema(layer: LayerDef, p: Principal, selfUrl: string): JsonSchema {
  const props = readableProperties(layer, p);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: selfUrl,
    title: layer.title,
    description: `GeoJSON features of ${layer.id}; properties not listed as required may be null`,
    type: 'object',
    required: ['type', 'id', 'geometry', 'properties'],
    properties: {
      type: { type: 'string', enum: ['Feature'] },
      id: { type: 'integer' },
      geometry: {
        title: layer.geometry,
        type: 'object',
        required: ['type', 'coordinates'],
        properties: { type: { type: 'string', enum: [layer.geometry] }, coordinates: { type: 'array' } },
      },
      properties: {
        type: 'object',
        required: [...props.filter((x) => x.required).map((x) => x.name), 'version', 'updated_at'],
        properties: {
          ...Object.fromEntries(props.map((prop) => [prop.name, propertySchema(prop)])),
          version: { title: '版本', type: 'integer', minimum: 1, readOnly: true },
          updated_at: { title: '更新時間', type: 'string', format: 'date-time', readOnly: true },
        },
      },
    },
  };
}
