import { HttpError } from './errors.js';

/**
 * The one catalogue of what the service tells people: a stable code (what programs and tests
 * match on) and its Traditional Chinese text, which says what went wrong and what to do next.
 * Add a code here rather than writing a sentence where the refusal is raised, so the wording
 * stays consistent and can be reviewed in one place.
 */
const CATALOGUE = {
  // Requests in general
  too_many_requests: (p: { seconds: number }) => `要求過於頻繁，請於 ${p.seconds} 秒後再試。`,
  service_busy: (p: { seconds: number }) => `系統忙碌中，請於 ${p.seconds} 秒後再試。`,

  // Shapes (the feature API and imports alike)
  feature_too_many_vertices: (p: { max: number; row?: number }) =>
    `${p.row === undefined ? '圖形' : `第 ${n(p.row)} 筆的圖形`}超過 ${n(p.max)} 個頂點的上限（MAX_FEATURE_VERTICES），沒有寫入任何資料。請先簡化圖形（例如 QGIS 的「簡化」工具）或分成幾個圖形，或請系統管理者調高 MAX_FEATURE_VERTICES。`,

  // Writes
  duplicate_code: (p: { unit: string; layer: string; code: string; id?: number; name?: string }) =>
    `代碼「${p.code}」已由${p.unit}${p.name ? `「${p.name}」` : ''}${p.id === undefined ? '' : `（編號 ${p.id}）`}使用，同一代碼只能屬於一個${p.unit}，沒有寫入任何資料。請改用其他代碼${p.id === undefined ? '' : `，或修改該${p.unit}（PATCH /api/layers/${p.layer}/features/${p.id}）`}。`,

  // Imports: limits (README "Limits and hardening"); nothing is written when one is reached
  file_too_large: (p: { max: number }) =>
    `檔案大小超過匯入上限 ${size(p.max)}（IMPORT_BODY_LIMIT），沒有寫入任何資料。請將檔案分成幾個較小的檔案分批匯入，或請系統管理者調高 IMPORT_BODY_LIMIT。`,
  archive_too_large: (p: { max: number }) =>
    `壓縮檔解壓縮後超過 ${size(p.max)} 的上限（IMPORT_MAX_EXPANDED），已停止解壓縮，沒有寫入任何資料。請分成幾個較小的壓縮檔匯入，或請系統管理者調高 IMPORT_MAX_EXPANDED。`,
  archive_too_many_entries: (p: { found: number; max: number }) =>
    `壓縮檔內有 ${n(p.found)} 個檔案，超過 ${n(p.max)} 個的上限（IMPORT_MAX_ENTRIES），沒有寫入任何資料。Shapefile 只需 .shp、.shx、.dbf、.prj、.cpg，KMZ 只需 .kml：請移除其他檔案後重新壓縮。`,
  too_many_rows: (p: { max: number }) =>
    `檔案超過 ${n(p.max)} 列（筆）的匯入上限（IMPORT_MAX_ROWS），沒有寫入任何資料。請分成幾個檔案分批匯入，或請系統管理者調高 IMPORT_MAX_ROWS。`,
  too_many_columns: (p: { found: number; max: number }) =>
    `檔案有 ${n(p.found)} 個欄位，超過 ${n(p.max)} 個的上限（IMPORT_MAX_COLUMNS），沒有寫入任何資料。請只保留要匯入的欄位後再匯入。`,
  too_many_cells: (p: { max: number }) =>
    `檔案的儲存格（列數 × 欄位數）超過 ${n(p.max)} 個的上限（IMPORT_MAX_CELLS），沒有寫入任何資料。請刪除不需要的欄位，或分成幾個檔案匯入。`,
  line_too_long: (p: { line: number; max: number }) =>
    `第 ${n(p.line)} 行超過 ${n(p.max)} 個字元的上限（IMPORT_MAX_LINE），沒有寫入任何資料。可能是缺少換行或引號沒有關閉：請檢查該行，或請系統管理者調高 IMPORT_MAX_LINE。`,
  cell_too_long: (p: { row: number; column: string; max: number }) =>
    `第 ${n(p.row)} 筆「${p.column}」的內容超過 ${n(p.max)} 個字元的上限（IMPORT_MAX_LINE），沒有寫入任何資料。請縮短內容後再匯入。`,
  nesting_too_deep: (p: { max: number }) =>
    `JSON 的巢狀層數超過 ${n(p.max)} 層的上限（IMPORT_MAX_DEPTH），不是可匯入的 GeoJSON 或表格，沒有寫入任何資料。請確認檔案內容。`,
  kml_too_large: (p: { found: number; max: number }) =>
    `KML 內容有 ${size(p.found)}，超過 ${size(p.max)} 的上限（IMPORT_MAX_KML），沒有寫入任何資料。請分成幾個 KML 檔，或改以 GeoJSON、Shapefile 或 CSV 匯入。`,
  file_too_many_vertices: (p: { max: number }) =>
    `檔案中圖形的頂點合計超過 ${n(p.max)} 個的上限（IMPORT_MAX_VERTICES），沒有寫入任何資料。請簡化圖形或分成幾個檔案匯入，或請系統管理者調高 IMPORT_MAX_VERTICES。`,
  import_out_of_memory: (p: { mb: number }) =>
    `讀取這個檔案所需的記憶體超過匯入上限 ${n(p.mb)} MB（IMPORT_WORKER_HEAP_MB），已停止讀取，沒有寫入任何資料。請分成幾個較小的檔案匯入，或請系統管理者調高 IMPORT_WORKER_HEAP_MB。`,
  import_timeout: (p: { seconds: number }) =>
    `讀取這個檔案超過 ${n(p.seconds)} 秒的上限（IMPORT_READ_TIMEOUT），已停止讀取，沒有寫入任何資料。請分成幾個較小的檔案匯入，或請系統管理者調高 IMPORT_READ_TIMEOUT。`,

  // Imports: files whose structure contradicts itself
  damaged_archive: (p: { problem: ArchiveProblem; entry?: string }) =>
    `壓縮檔已損壞或不完整：${ARCHIVE_PROBLEMS[p.problem]}${p.entry ? `（${p.entry}）` : ''}，沒有寫入任何資料。請重新壓縮，或重新下載完整的檔案後再上傳。`,
  unsupported_archive: (p: { entry: string; encrypted: boolean }) =>
    `壓縮檔中的「${p.entry}」${p.encrypted ? '有密碼保護' : '使用本系統不支援的壓縮方式'}，沒有寫入任何資料。請以一般 ZIP（不設密碼）重新壓縮後再上傳。`,
  damaged_shapefile: (p: { file: string; problem: ShapefileProblem; record?: number }) =>
    `Shapefile 的 ${p.file} 已損壞或不完整：${p.record === undefined ? '' : `第 ${n(p.record)} 筆`}${SHAPEFILE_PROBLEMS[p.problem]}，沒有寫入任何資料。請從原始系統重新匯出 Shapefile 後再匯入。`,
  unreadable_file: (p: { reason: string }) =>
    `無法讀取這個檔案（${p.reason}），沒有寫入任何資料。請確認檔案完整、格式正確後再上傳。`,
} satisfies Record<string, (p: never) => string>;

/** What is wrong with a zip archive's structure. */
export type ArchiveProblem = 'no_directory' | 'directory_past_end' | 'entry_past_end' | 'size_mismatch';
const ARCHIVE_PROBLEMS: Record<ArchiveProblem, string> = {
  no_directory: '找不到壓縮檔的目錄（檔案可能被截斷）',
  directory_past_end: '目錄記載的位置或筆數超出檔案結尾',
  entry_past_end: '檔案內容的位置超出壓縮檔結尾',
  size_mismatch: '解壓縮後的大小與目錄記載不符',
};

/** What is wrong with a Shapefile part's structure. */
export type ShapefileProblem = 'header' | 'record_past_end' | 'record_length' | 'shape_type' | 'index';
const SHAPEFILE_PROBLEMS: Record<ShapefileProblem, string> = {
  header: '標頭記載的筆數、長度或欄位與檔案大小不符',
  record_past_end: '記錄的長度超出檔案結尾',
  record_length: '記錄的長度與其記載的點數不符',
  shape_type: '記錄的圖形類型與檔案標頭不同',
  index: '索引指向 .shp 中不存在的記錄',
};

/** 1,234,567 */
function n(x: number): string {
  return x.toLocaleString('en-US');
}

/** Bytes as people read them: 64 MB, 512 KB. */
function size(bytes: number): string {
  return bytes >= 2 ** 20 ? `${n(Math.round((bytes / 2 ** 20) * 10) / 10)} MB` : `${n(Math.ceil(bytes / 2 ** 10))} KB`;
}

export type MessageCode = keyof typeof CATALOGUE;
export type ParamsOf<C extends MessageCode> = Parameters<(typeof CATALOGUE)[C]>[0];

/** The zh-TW text of a code with its parameters filled in. */
export function message<C extends MessageCode>(code: C, params: ParamsOf<C>): string {
  return (CATALOGUE[code] as (p: ParamsOf<C>) => string)(params);
}

export interface RefusalOptions {
  /** The part of the request at fault, e.g. `properties.azimuth` or `file`. */
  field?: string;
  headers?: Record<string, string>;
  details?: Record<string, unknown>;
}

/** An HTTP error whose message comes from the catalogue. */
export function refusal<C extends MessageCode>(status: number, code: C, params: ParamsOf<C>, opts: RefusalOptions = {}): HttpError {
  return new HttpError(status, code, message(code, params), opts.field, opts.headers, opts.details);
}
