import { message, refusal } from '../http/messages.js';
import type { LayerDef } from '../layers/types.js';
import { sridHintInHeader, type Srid } from './crs.js';

/**
 * Which column of a register feeds which property. A column is matched by the property's name
 * (`azimuth`), its label in the registry (方位角（度）), or a word registers use for it (方向,
 * 拍攝方向); coordinates, WKT shapes and ids have targets of their own. A `mapping` sent with the
 * import (or saved for its source) overrides the matching, column by column.
 */

/** Targets that are not properties: where the feature is, and which feature a row is. */
export const POSITION_TARGETS = ['x', 'y', 'lon', 'lat', 'wkt'] as const;
export const ID_TARGETS = ['id', 'external_id', 'instance'] as const;
export type SpecialTarget = (typeof POSITION_TARGETS)[number] | (typeof ID_TARGETS)[number];

/**
 * Words registers use, by target. Property names are shared across layers (`name`, `status`),
 * so one list serves every layer that has the property; the registry's labels are added to it.
 */
const ALIASES: Record<string, readonly string[]> = {
  x: ['x', 'twd97x', 'twd67x', 'tm2x', 'x坐標', 'x座標', '橫坐標', '橫座標', 'twd97橫坐標', 'twd97橫座標', 'e', 'easting', '東距', 'x97', 'x67', 'xcoord', 'coordx', 'pointx'],
  y: ['y', 'twd97y', 'twd67y', 'tm2y', 'y坐標', 'y座標', '縱坐標', '縱座標', 'twd97縱坐標', 'twd97縱座標', 'n', 'northing', '北距', 'y97', 'y67', 'ycoord', 'coordy', 'pointy'],
  lon: ['lon', 'lng', 'long', 'longitude', '經度', '東經', 'wgs84經度', 'gps經度', '經度座標', '經度坐標'],
  lat: ['lat', 'latitude', '緯度', '北緯', 'wgs84緯度', 'gps緯度', '緯度座標', '緯度坐標'],
  wkt: ['wkt', 'geometry', 'geom', 'thegeom', 'shape', '幾何', '圖形', '範圍'],
  id: ['id'],
  instance: ['instance', 'instanceid', '系統識別碼'],
  external_id: ['externalid', '編號', '序號', '代號', 'no', 'uid', '設備編號', '監視器編號', '攝影機編號', '鏡頭編號', '列管編號', '處所編號', '管制編號', '案號', '案件編號'],
  name: ['名稱', '名字', '處所名稱', '場所名稱', '店名', '攝影機名稱', '監視器名稱', '鏡頭名稱', '設置地點', '地點', '地點名稱', '隊名', '區塊名稱', 'title'],
  address: ['地址', '住址', '門牌', '處所地址', '地點地址', '設置地址', 'addr', '完整地址', '門牌地址', 'fulladdr'],
  category: ['類別', '種類', '處所類別', '處所種類', '列管類別'],
  listing_status: ['列管狀態', '列管'],
  listed_on: ['列管日期', '列管日'],
  delisted_on: ['解除列管日期', '解列日期', '解除日期'],
  next_visit_due: ['下次查訪期限', '下次查訪日期', '應查訪日期', '查訪期限'],
  notes: ['備註', '說明', 'remark', 'remarks', 'memo', 'note'],
  azimuth: ['方位角', '方位', '方向', '拍攝方向', '鏡頭方向', '朝向', 'direction', 'heading', 'bearing'],
  fov: ['視角', '水平視角', '視野角', 'viewangle', 'angle'],
  range_m: ['距離', '有效距離', '拍攝距離', '監視距離', 'range', 'distance'],
  owner_kind: ['設置單位', '設置單位類型', '權屬', '所有權', 'owner'],
  status: ['狀態', '設備狀態', '妥善狀態', '現況'],
  lpr: ['車牌辨識', '車辨', '車牌辨識功能'],
  networked: ['連網', '是否連網'],
  adjustable: ['可調整', '可調整方向', '可轉動', 'ptz'],
  install_year: ['建置年度', '建置年', '設置年度', '安裝年度', '年度'],
  is_public: ['公開', '是否公開', 'public'],
  contact: ['聯絡人', '聯絡方式'],
  phone: ['電話', '聯絡電話', 'tel', 'telephone'],
  adopter: ['認養單位', '認養者', '認養'],
  adopter_kind: ['認養單位類型', '認養類型'],
  patrol_hours: ['巡守時段', '巡邏時段'],
  leader: ['隊長'],
  members: ['隊員人數', '人數'],
  purpose: ['目的', '用途'],
  planned_on: ['預定日期', '日期', '執行日期'],
  altitude_m: ['飛行高度', '高度'],
  findings: ['蒐證結果', '查訪情形', '結果說明'],
  type: ['案類', '案件類別', '類型'],
  occurred_at: ['發生時間', '發生日期', '發生時間日期'],
  source: ['來源', '案件來源'],
  description: ['案情摘要', '案情', '摘要'],
  officer: ['查訪員警', '員警', '承辦人'],
  visited_at: ['查訪時間', '查訪日期'],
  outcome: ['結果', '查訪結果'],
  place_id: ['處所', '處所id'],
  code: ['代碼', '單位代碼', 'code'],
  bureau_code: ['警察局代碼', '所屬警察局'],
  precinct_code: ['分局代碼', '所屬分局'],
  station_code: ['派出所代碼', '所屬派出所'],
  officer_name: ['警勤區員警', '員警姓名'],
  // 門牌 (the 戶政 門牌坐標 open data's columns)
  village: ['村里名稱', '村里別'],
  neighbourhood: ['鄰別', 'neighborhood', 'lin'],
  street: ['街路', '路段', '街道', '街路段名稱', 'road'],
  area: ['地區名稱'],
  number: ['門牌號', '門牌號碼', '號碼'],
};

/** A header as compared: full-width folded, lower case, without spaces, separators and (units). */
export const normaliseHeader = (h: string) =>
  h.normalize('NFKC').toLowerCase().replace(/\(.*?\)|\[.*?\]|【.*?】/g, '').replace(/[\s_\-./:：#'"]/g, '');

/** Columns this service's own exports carry that are its bookkeeping, not the feature's. */
const BOOKKEEPING = new Set(['version', 'updatedat', 'updatedby', 'createdat', 'createdby']);

export interface ColumnPlan {
  column: string;
  /** The property or special target it feeds; null when it is not imported. */
  target: string | null;
  how: 'mapping' | 'saved' | 'name' | 'label' | 'alias' | null;
  /** Why a column is not imported. */
  note?: string;
}

export interface Mapping {
  columns: Record<string, string | null>;
  how: 'mapping' | 'saved';
}

/** Everything a column may feed on this layer, for the upload page and for checking a mapping. */
export function targetsOf(layer: LayerDef): { target: string; label: string; required: boolean; words: string[] }[] {
  const special: Record<SpecialTarget, string> = {
    x: 'X 坐標（TWD97/TWD67 公尺，或經度）', y: 'Y 坐標（TWD97/TWD67 公尺，或緯度）', lon: '經度', lat: '緯度',
    wkt: '圖形（WKT）', id: '本系統編號（id，匯出檔所附）', external_id: '來源編號（同一來源內唯一）',
    instance: '匯出系統識別碼（instance，匯出檔所附：編號是哪一個系統的）',
  };
  const positions = layer.geometry ? POSITION_TARGETS : [];
  return [
    ...layer.properties.filter((p) => !p.derived).map((p) => ({
      target: p.name, label: p.label, required: p.required === true, words: [...(p.words ?? []), ...(ALIASES[p.name] ?? []), ...wordsOfLayer(layer, p.name)],
    })),
    ...[...positions, ...ID_TARGETS].map((t) => ({ target: t, label: special[t], required: false, words: [...(ALIASES[t] ?? [])] })),
  ];
}

/** 警勤區名稱, 派出所代碼: a unit layer names its own name and code after itself. */
const wordsOfLayer = (layer: LayerDef, property: string) =>
  property === 'name' || property === 'code' ? [`${layer.title}${property === 'name' ? '名稱' : '代碼'}`] : [];

function checkMapping(layer: LayerDef, columns: readonly string[], mapping: Mapping): void {
  const valid = new Set(targetsOf(layer).map((t) => t.target));
  for (const [column, target] of Object.entries(mapping.columns)) {
    if (mapping.how === 'mapping' && !columns.includes(column)) {
      throw refusal(400, 'import_mapping_column_unknown', { column, columns }, { field: 'mapping' });
    }
    if (target !== null && !valid.has(target)) {
      throw refusal(400, 'import_mapping_target_unknown', { column, target, layer: layer.title, targets: [...valid] }, { field: 'mapping' });
    }
  }
}

/**
 * The plan for a file's columns, and the coordinate system a header names (TWD67_X), if any.
 * Each target is fed by one column: a second column matching it is left out, with a note.
 */
export function planColumns(layer: LayerDef, columns: readonly string[], mapping?: Mapping): { plan: ColumnPlan[]; sridHint?: Srid } {
  if (mapping) checkMapping(layer, columns, mapping);
  const byWord = new Map<string, { target: string; how: 'name' | 'label' | 'alias' }>();
  const derived = new Map<string, { label: string; name: string }>();
  const add = (word: string, target: string, how: 'name' | 'label' | 'alias') => {
    const k = normaliseHeader(word);
    if (k && !byWord.has(k)) byWord.set(k, { target, how });
  };
  for (const p of layer.properties) {
    if (p.derived) {
      derived.set(normaliseHeader(p.name), p);
      derived.set(normaliseHeader(p.label), p);
      continue;
    }
    add(p.name, p.name, 'name');
    add(p.label, p.name, 'label');
  }
  for (const t of targetsOf(layer)) for (const w of t.words) add(w, t.target, 'alias');

  const taken = new Map<string, string>();
  let sridHint: Srid | undefined;
  const plan = columns.map((column): ColumnPlan => {
    const given = mapping?.columns[column];
    let entry: ColumnPlan;
    if (given !== undefined) entry = { column, target: given, how: mapping!.how };
    else {
      const k = normaliseHeader(column);
      const found = byWord.get(k);
      if (found) entry = { column, target: found.target, how: found.how };
      else if (derived.has(k)) return { column, target: null, how: null, note: message('column_derived', derived.get(k)!) };
      else if (BOOKKEEPING.has(k)) return { column, target: null, how: null, note: message('column_bookkeeping', undefined) };
      else return { column, target: null, how: null, note: message('column_unmatched', { column }) };
    }
    if (entry.target === null) return { ...entry, note: message('column_skipped', undefined) };
    const earlier = taken.get(entry.target);
    if (earlier !== undefined) return { column, target: null, how: null, note: message('column_taken', { target: entry.target, column: earlier }) };
    taken.set(entry.target, column);
    if (entry.target === 'x' || entry.target === 'y') sridHint ??= sridHintInHeader(column);
    return entry;
  });
  return { plan, ...(sridHint ? { sridHint } : {}) };
}
