import { api } from '../lib/api.js';

/** The layer registry as /api/layers describes it to the signed-in caller (server/layers/routes.ts). */
export interface Choice { value: string; label: string }

export interface PropertyInfo {
  name: string;
  label: string;
  type: 'text' | 'enum' | 'integer' | 'number' | 'boolean' | 'date' | 'timestamp' | 'ids' | 'reference' | 'indicators';
  choices?: Choice[];
  maxLength?: number;
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  layer?: string;
  required?: boolean;
  derived?: boolean;
  notInFuture?: boolean;
  /** The value is a unit's code (beats, stations, precincts); people see the unit's name. */
  unitCode?: 'precincts' | 'stations' | 'beats';
  /** Crime-indicator signs (with `choices` for their types). */
  signs?: Choice[];
}

export interface LegendEntries { property: string; entries: { value: string; label: string; colour: string; mark?: 'hollow' | 'cross' }[] }

export interface LayerInfo {
  id: string;
  title: string;
  geometry: 'Point' | 'MultiPolygon' | null;
  writable: ('create' | 'update' | 'delete')[];
  writableFields?: string[];
  temporal: string | null;
  label: string;
  /** Reference ground (縣市, 鄉鎮市區, 村里, the block fabric), listed apart. */
  ground?: boolean;
  attribution?: string;
  properties: PropertyInfo[];
  search: string[];
  features: string;
  tiles?: string;
  minzoom?: number;
  maxzoom?: number;
  cluster?: { belowZoom: number; countBy: string };
  labels?: boolean;
  legend?: { colour: string; ring?: true; fill?: LegendEntries; outline?: LegendEntries };
}

export class Registry {
  private readonly byId: Map<string, LayerInfo>;

  constructor(readonly layers: LayerInfo[]) {
    this.byId = new Map(layers.map((l) => [l.id, l]));
  }

  static async load(): Promise<Registry> {
    return new Registry((await api.get<{ layers: LayerInfo[] }>('/api/layers')).layers);
  }

  get(id: string): LayerInfo | undefined {
    return this.byId.get(id);
  }

  can(id: string, op: 'create' | 'update' | 'delete'): boolean {
    return this.byId.get(id)?.writable.includes(op) ?? false;
  }
}

export const property = (layer: LayerInfo, name: string) => layer.properties.find((p) => p.name === name);

/** A property value as a person reads it: choice labels, 是/否, dates in Taiwan time. */
export function displayValue(prop: PropertyInfo, value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  switch (prop.type) {
    case 'enum': return prop.choices?.find((c) => c.value === value)?.label ?? String(value);
    case 'boolean': return value ? '是' : '否';
    case 'timestamp': return new Intl.DateTimeFormat('zh-TW', { timeZone: 'Asia/Taipei', dateStyle: 'medium', timeStyle: 'short', hour12: false }).format(new Date(String(value)));
    case 'ids': return (value as unknown[]).length ? (value as unknown[]).map((v) => `#${v}`).join('、') : '—';
    case 'reference': return `#${value}`;
    case 'indicators': {
      const entries = Object.entries(value as Record<string, string[]>);
      const label = (list: Choice[] | undefined, v: string) => list?.find((c) => c.value === v)?.label ?? v;
      return entries.length
        ? entries.map(([k, signs]) => `${label(prop.choices, k)}（${signs.map((s) => label(prop.signs, s)).join('、')}）`).join('；')
        : '—';
    }
    default: return String(value);
  }
}

/** A layer property's value as a person reads it, or the raw value where the layer or property is not the caller's. */
export function choiceLabel(layer: LayerInfo | undefined, name: string, value: unknown): string {
  const prop = layer && property(layer, name);
  return prop ? displayValue(prop, value) : String(value ?? '—');
}
