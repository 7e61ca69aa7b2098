import type { Principal } from '../auth/principal.js';
import { readableProperties } from '../layers/access.js';
import type { LayerDef, PropertyDef } from '../layers/types.js';
import type { ExportRow } from './pages.js';
import { csvCell } from './spreadsheet-cells.js';

/**
 * Features as CSV rows for spreadsheets: `header=label` (the default) writes the registry's
 * Chinese labels and choices (類別 空屋, 公開 是) as a person reads them; `header=name` the
 * property names and stored values, for programs. Either way the import reads the file back:
 * labels are among the words it matches. Coordinates: 經度/緯度 (WGS84) or TWD97_X/TWD97_Y
 * (EPSG:3826) for points, a WKT column for shapes. Each row carries the feature's id and this
 * installation's id (`instance`), so an import here updates the features and one elsewhere adds them.
 */
export type HeaderStyle = 'label' | 'name';


function cell(prop: PropertyDef, v: unknown, style: HeaderStyle): string {
  if (v === null || v === undefined) return '';
  const t = prop.type;
  if (style === 'label' && t.kind === 'enum') return t.choices.find((c) => c.value === v)?.label ?? String(v);
  if (style === 'label' && t.kind === 'boolean') return v ? '是' : '否';
  if (t.kind === 'ids') return (v as number[]).join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function csvWriter(layer: LayerDef, p: Principal, style: HeaderStyle, projected: boolean, instance: string): { header: string; rows: (page: ExportRow[]) => string } {
  const props = readableProperties(layer, p);
  const coordinates = !layer.geometry ? [] : layer.geometry === 'Point'
    ? (projected ? ['TWD97_X', 'TWD97_Y'] : style === 'label' ? ['經度', '緯度'] : ['lon', 'lat'])
    : ['WKT'];
  const header = ['id', 'instance', ...props.map((x) => (style === 'label' ? x.label : x.name)), ...coordinates].map(csvCell).join(',');
  const digits = projected ? 2 : 7;
  const position = (r: ExportRow): string[] => {
    if (!layer.geometry) return [];
    if (layer.geometry !== 'Point') return [r.wkt ?? ''];
    return r.x === undefined ? ['', ''] : [r.x.toFixed(digits), r.y!.toFixed(digits)];
  };
  return {
    header: `${header}\r\n`,
    rows: (page) => page.map((r) => [String(r.feature.id), instance, ...props.map((x) => cell(x, r.feature.properties[x.name], style)), ...position(r)].map(csvCell).join(',')).join('\r\n') + '\r\n',
  };
}
