import { property, type LayerInfo } from '../app/registry.js';
import type { RowIssue } from './import-api.js';

/**
 * A row's problem as the page says it: what kind of problem, in Chinese, and where (the file's
 * column, or the property by its label), with the server's own sentence kept as the detail —
 * it names the exact value and what would be accepted.
 */
const KINDS: Record<string, string> = {
  invalid_request: '資料不符規定',
  invalid_value: '數值無法判讀',
  invalid_geometry: '位置或形狀不正確',
  invalid_reference: '參照的資料不存在',
  no_position: '沒有坐標或形狀',
  unreadable_row: '無法讀取此列',
  forbidden: '無權寫入',
  not_found: '找不到要更新的資料',
  deleted: '對應的資料已刪除',
  duplicate: '與檔案中另一列重複',
  possible_duplicate: '可能與既有資料重複',
  outside_beats: '不在任何警勤區內',
  from_name: '由名稱判讀',
  units_gap: '轄區之間有空隙',
  units_overlap: '轄區互相重疊',
  text_nul: '文字含有空字元',
  text_lone_surrogate: '文字編碼無效',
  datetime_format: '日期或時間無法判讀',
  datetime_year: '年份超出範圍',
  datetime_offset: '時區位移超出範圍',
};

export interface IssueText { text: string; detail: string }

export function issueText(issue: RowIssue, layer: LayerInfo | undefined): IssueText {
  const name = issue.field?.startsWith('properties.') ? issue.field.slice('properties.'.length) : undefined;
  const label = name && layer ? property(layer, name)?.label : undefined;
  const where = issue.column ? `欄位「${issue.column}」` : label ? `「${label}」` : issue.field === 'geometry' ? '位置' : '';
  // The server's sentence names the column itself where it can; the heading then need not.
  const named = where !== '' && issue.message.includes(where);
  return { text: `${KINDS[issue.code] ?? '有問題'}${where && !named ? `（${where}）` : ''}`, detail: issue.message };
}

/** The same as one line of text: 「位置或形狀不正確（位置）：…」. */
export function issueLine(issue: RowIssue, layer?: LayerInfo): string {
  const t = issueText(issue, layer);
  return `${t.text}：${t.detail}`;
}
