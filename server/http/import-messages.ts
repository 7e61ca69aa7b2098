import { n, size } from './wording.js';

/**
 * Imports (server/import): refusals, remarks on the file and on each row, and the report's one
 * sentence; and the problems readers name. Part of the one catalogue (messages.ts).
 */
export const IMPORT_MESSAGES = {
  // Imports: the upload and its parameters (server/import/body.ts, options.ts)
  upload_cut_off: () => '上傳在檔案傳完之前就中斷了，沒有寫入任何資料；請重新上傳。',
  // npm run theft (scripts/theft.ts): the real 桃園 theft points as incidents
  theft_loaded: (p: { rows: number; outside: number; seconds: string }) =>
    `已匯入 ${n(p.rows)} 筆桃園市竊盜點位為案件（${p.seconds} 秒）${p.outside ? `；${n(p.outside)} 筆位置不在臺灣（坐標有誤），未匯入` : ''}。`,
  theft_already: () => '這個資料庫已匯入過桃園市竊盜點位，沒有重複匯入。',
  /** `detail` is the multipart parser's own (English) account. */
  multipart_unreadable: (p: { detail: string }) =>
    `無法讀取上傳的表單（multipart/form-data）（${p.detail}），沒有寫入任何資料；請重新上傳。`,
  upload_no_file: () => '表單中沒有檔案：請以檔案欄位上傳（例如 <input type="file" name="file">）。',
  import_flag: (p: { field: string }) => `「${p.field}」必須是 true 或 false（也可寫 1、0、yes、no）。`,
  import_json_object: (p: { field: string; example: string }) => `「${p.field}」必須是 JSON 物件，例如 ${p.example}。`,
  import_number_range: (p: { field: string; min: number; max: number }) => `「${p.field}」必須是 ${p.min} 到 ${p.max} 之間的數字。`,
  import_mapping_target: (p: { column: string }) => `mapping 中「${p.column}」的對應必須是欄位名稱（文字），或 null 表示略過這個欄位。`,
  import_source_invalid: () => 'source 必須以 1 到 100 個字寫出資料來源的系統名稱，例如 source=勤區查察系統。',
  import_format: (p: { value: string; formats: readonly string[] }) =>
    `「format」必須是 ${p.formats.join('、')} 其中之一（或省略，由系統自動判斷），不能是「${p.value}」。`,
  import_match: (p: { value: string }) =>
    `「match」不能是「${p.value}」，必須是下列其中之一：auto（本系統匯出的檔案以本系統的編號比對，其他檔案以 source 內原系統的編號比對）、` +
    'id（以本系統的編號比對）、external_id（以原系統的編號比對）或 none（每一列都新增）。',
  import_duplicates: (p: { value: string }) =>
    `「duplicates」不能是「${p.value}」，必須是 skip（略過可能與既有資料重複的列，預設）或 import（仍然匯入為新資料）。`,
  crs_unknown: (p: { value: string; known: readonly string[] }) =>
    `不支援坐標系統「${p.value}」；請用 ${p.known.join('、')}（也可直接寫 TWD97、TWD67、WGS84）。`,
  encoding_unknown: (p: { value: string }) => `不認得文字編碼「${p.value}」；請用 utf-8 或 big5（cp950），或不指定 encoding，由系統自動判斷。`,
  defaults_unknown: (p: { name: string; layer: string }) => `defaults 中的「${p.name}」不是${p.layer}可以設定的欄位；請刪除它，或改用正確的欄位名稱。`,
  /** A default the property's type cannot read (server/import/values.ts). */
  defaults_invalid: (p: { label: string; name: string } & CellProblem) => `defaults 中「${p.label}」（${p.name}）的「${p.value}」${CELL_RULES[p.expected](p)}；請修正 defaults。`,
  import_mapping_column_unknown: (p: { column: string; columns: readonly string[] }) =>
    `mapping 中的欄位「${p.column}」不在檔案中；檔案的欄位：${p.columns.join('、')}。請改用檔案中的欄位名稱。`,
  import_mapping_target_unknown: (p: { column: string; target: string; layer: string; targets: readonly string[] }) =>
    `mapping 把欄位「${p.column}」對應到「${p.target}」，但${p.layer}沒有這個欄位；請改用下列其中之一：${p.targets.join('、')}，或寫 null 略過這個欄位。`,
  /** Coordinates that are not what the crs asked for, declared by the file or saved for the source says (server/import/positions.ts). */
  crs_mismatch: (p: { x: number; y: number; metres: boolean; how: 'parameter' | 'file' | 'saved'; crs: string; name: string }) =>
    `坐標（例如 ${p.x}, ${p.y}）是${p.metres ? 'TM2 公尺坐標' : '經緯度（度）'}，但${CRS_SOURCES[p.how]}是 ${p.crs}（${p.name}）；` +
    `請以 crs=… 指定與坐標相符的坐標系統，例如 ${p.metres ? 'crs=EPSG:3826（TWD97）' : 'crs=EPSG:4326（WGS84 經緯度）'}。`,
  /** A coordinate system a GeoJSON "crs" member or a Shapefile's .prj names that no transformation here takes. */
  file_crs_unknown: (p: ({ from: 'geojson'; name: string } | { from: 'prj'; wkt: string }) & { known: readonly string[] }) =>
    (p.from === 'geojson' ? `檔案的 crs 成員宣告的坐標系統「${p.name}」本系統無法轉換，沒有寫入任何資料。` : `Shapefile 的 .prj 所寫的坐標系統本系統無法轉換（${p.wkt}），沒有寫入任何資料。`) +
    `本系統能轉換的是 ${p.known.join('、')}：請先以 GIS 軟體（例如 QGIS）轉成其中之一；若它其實就是其中之一，請刪除${p.from === 'geojson' ? ' crs 成員' : ' .prj 檔'}，再以 crs=… 指定。`,

  // Imports: what the file as a whole lacks (server/import/run.ts); nothing is written
  import_source_required: (p: { column: string }) =>
    `欄位「${p.column}」是原系統的編號（external_id）：請以 source=… 指明資料來自哪個系統（例如 source=勤區查察系統），或以 mapping 略過這個欄位（{"${p.column}": null}）。`,
  import_replace_needs_source: () => 'replace=true 會刪除同一來源中、新檔案已經沒有的資料，因此必須以 source=… 指明來源（例如 source=勤區查察系統）。',
  import_match_units: (p: { layer: string }) => `${p.layer}一律以代碼比對既有資料：請拿掉 match。`,
  import_match_id_column: () => 'match=id 以本系統的編號找出要更新的資料，但沒有欄位對應到 id：請以 mapping={"<欄位>": "id"} 指定編號欄位。',
  import_match_external_id: () =>
    'match=external_id 以原系統的編號找出要更新的資料：請把該編號欄位對應到 external_id，並以 source=… 指明是哪個系統。',
  /** Required properties no column holds (`fields`, the first by its name in `first`), or no coordinates at all. */
  missing_columns: (p: { columns: readonly string[] } & ({ fields: string; first: string } | { coordinates: true })) =>
    'coordinates' in p
      ? `檔案沒有坐標：欄位（${p.columns.join('、')}）中沒有 X/Y（TWD97）、經度/緯度或 WKT，沒有寫入任何資料。請以 mapping={"<欄位>": "x"} 與 "y" 指定坐標欄位。`
      : `檔案缺少必填欄位：${p.fields}（檔案的欄位：${p.columns.join('、')}），沒有寫入任何資料。請以 mapping={"<欄位>": "${p.first}"} 指定對應的欄位，或以 defaults 為每一列給一個值。`,
  wrong_encoding: (p: EncodingProblem) => ENCODING_PROBLEMS[p.problem](p as never),

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
  /** `reason`: why the reader gave up (server/import/file-reader.ts); or one of FILE_PROBLEMS. */
  unreadable_file: (p: { reason: string } | FileProblem) => ('problem' in p ? FILE_PROBLEMS[p.problem](p as never)
    : `無法讀取這個檔案（${p.reason}），沒有寫入任何資料。請確認檔案完整、格式正確後再上傳。`),

  // Imports: remarks on the file as a whole. Text only: the report's `warnings` (strings), `file.crs.note` and a column's `note`
  encoding_bom: (p: { bom: string; declared: string }) => `檔案開頭有 ${p.bom} 的位元組順序標記（BOM），因此以 ${p.bom} 讀取，而不是指定的 ${p.declared}。`,
  encoding_also_utf8: () => '這個檔案也是有效的 UTF-8：若名稱看起來是亂碼，請加上 encoding=utf-8 重新匯入。',
  shapefile_no_prj: () => 'Shapefile 沒有 .prj 檔：坐標系統是依坐標的數值判斷的；若判斷有誤，請以 crs=… 指定。',
  shapefile_cpg_unknown: (p: { name: string }) => `.cpg 檔指定的文字編碼「${p.name}」不是 UTF-8 或 Big5，已改由系統判斷文字編碼。`,
  shapefile_no_dbf: () => 'Shapefile 沒有 .dbf 檔：圖形沒有任何屬性資料。',
  crs_guessed_twd97: () =>
    'TM2 公尺坐標視為 TWD97（EPSG:3826）讀取。TWD67 的數值看起來一樣，位置卻相差約 850 公尺：若清冊使用 TWD67（或製作於 2000 年以前），請加上 crs=EPSG:3828 重新匯入。',
  crs_guessed_zone119: () => 'TM2 公尺坐標視為 119 度分帶（澎湖、金門、馬祖：EPSG:3825）讀取：這樣落在本系統警勤區內的列比 121 度分帶多。',
  crs_guessed_degrees: () => '坐標視為 WGS84 經緯度（度）讀取。',
  crs_columns_swapped: (p: { metres: boolean }) =>
    (p.metres ? 'X 欄放的是縱坐標（北距）、Y 欄放的是橫坐標（東距）' : '經度欄放的是緯度、緯度欄放的是經度') + '：已對調後讀取。',
  ids_other_instance: (p: { count: number; instances: readonly string[] }) =>
    `${n(p.count)} 列是另一套本系統（${p.instances.join('、')}）匯出的：它們的編號不是這裡的資料，不會以編號更新這裡的資料，而是新增為新資料；` +
    '再次匯入同一個檔案時，會更新這次新增的資料。',
  ids_unmarked: (p: { count: number }) =>
    `id 欄沒有註明編號屬於哪一套系統（本系統的匯出檔會在 instance 欄註明），因此 ${n(p.count)} 列沒有以編號比對，而是新增為新資料；若這些編號是本系統的，請以 match=id 匯入。`,
  column_derived: (p: { label: string; name: string }) => `「${p.label}」（${p.name}）由系統依位置或紀錄自動產生，這個欄位不匯入。`,
  column_bookkeeping: () => '由系統自行記錄（版本與修改者），這個欄位不匯入。',
  column_unmatched: (p: { column: string }) => `對不到任何欄位；要匯入它，請以 mapping={${JSON.stringify(p.column)}: "<欄位代碼>"} 指定。`,
  column_skipped: () => '依 mapping 略過。',
  column_taken: (p: { target: string; column: string }) => `「${p.target}」已由欄位「${p.column}」提供，這個欄位不匯入。`,

  // Imports: remarks on one row (RowIssue, server/import/issues.ts rowIssue). A row issue's `code` is the code here,
  // or the shared one ROW_ISSUE_CODES names (invalid_value, invalid_geometry, not_found, …): the upload page and clients match those.
  cell_unreadable: (p: { column: string } & CellProblem) => `欄位「${p.column}」的「${p.value}」${CELL_RULES[p.expected](p)}。`,
  coordinate_not_number: (p: { column: string; value: string }) =>
    `欄位「${p.column}」的坐標「${p.value}」不是數字；請寫十進位數字（例如 120.25 或 2544000），或度分秒（例如 120°12'30"E）。`,
  tm2_swapped: (p: { x: number; y: number }) =>
    `這一列的 X（${p.x}）與 Y（${p.y}）寫反了：X 是橫坐標（東距），約 150,000 到 350,000；Y 是縱坐標（北距），約 2,400,000 到 2,800,000。請對調這兩格。`,
  not_tm2: (p: { x: number; y: number }) =>
    `(${p.x}, ${p.y}) 不是臺灣的 TM2 公尺坐標（X 約 150,000 到 350,000，Y 約 2,400,000 到 2,800,000）；請檢查這一列的坐標。`,
  /** `detail`: PostGIS's own (English) account; null for an empty shape. */
  wkt_invalid: (p: { detail: string | null }) =>
    `WKT 欄的內容不是有效的圖形（${p.detail ?? '空的圖形'}）；請修正這一格，例如 POINT(121.3 24.99) 或 POLYGON((121.3 24.99, …))。`,
  unreadable_row: (p: RowProblem) => ROW_PROBLEMS[p.problem](p as never),
  from_name: (p: { label: string; name: string; value: unknown; phrase: string }) =>
    `由名稱中的「${p.phrase}」判讀「${p.label}」（${p.name}）為 ${typeof p.value === 'boolean' ? (p.value ? '是' : '否') : String(p.value)}。`,
  no_position: () => '這一列沒有坐標（X/Y、經度/緯度）或圖形，無法放到地圖上；請補上坐標，或以 mapping 指定坐標欄位。',
  outside_beats: () => '這筆資料不在任何警勤區內，因此沒有所屬的警勤區、派出所與分局；請確認位置是否正確。',
  id_cell_invalid: (p: { value: string }) =>
    `「id」欄的「${p.value}」不是本系統的資料編號（正整數）；若這一欄是原系統自己的編號，請以 mapping={"<欄位>": "external_id"} 對應。`,
  instance_cell_invalid: (p: { value: string }) =>
    `「instance」欄的「${p.value}」不是系統識別碼（匯出檔在這一欄寫的是 UUID）；請留空，或以 mapping={"instance": null} 略過這一欄。`,
  other_instance: (p: { instance: string; id: string }) =>
    `這一列是另一套本系統（${p.instance}）匯出的，它的編號 ${p.id} 不是這裡的資料；要把它新增為新資料，請不要用 match=id 匯入。`,
  row_not_found: (p: { layer: string; id: number }) =>
    `${p.layer}沒有編號 ${p.id} 的資料（可能已刪除，或不在你能讀取的範圍）；要把這一列新增為新資料，請把它的 id 留空。`,
  row_forbidden: (p: { key: ImportKey }) => `${keyName(p.key)}對應的資料不是你能修改的；請刪除這一列，或請有權限的同仁匯入。`,
  /** `path`: the layer's name in URLs (key-places). */
  row_deleted: (p: { key: ImportKey; layer: string; path: string; id: number }) =>
    `${p.key.kind === 'id' ? `${p.layer}編號 ${p.id} 的資料已被刪除` : `${keyName(p.key)}是${p.layer}編號 ${p.id} 的資料，它已被刪除`}；` +
    `要匯入到這筆資料，請先還原（POST /api/layers/${p.path}/features/${p.id}/restore）。`,
  row_duplicate: (p: { row: number; key: ImportKey }) => `與第 ${n(p.row)} 列重複：兩列都是${keyName(p.key)}。`,
  /** `same`: what the two have in common, e.g. 「名稱」. */
  possible_duplicate: (p: { same: string } & ({ id: number | string; metres: number } | { row: number })) =>
    'row' in p ? `可能與第 ${n(p.row)} 列重複：${p.same}相同，位置也相近。` : `可能與既有的資料（編號 ${p.id}）重複：${p.same}相同，相距 ${n(p.metres)} 公尺。`,
  /** A unit's parent (a beat's station…) that does not exist; `unit` names its layer (派出所). */
  parent_unit_missing: (p: { label: string; name: string; code: string; unit: string }) =>
    `「${p.label}」（${p.name}）的「${p.code}」不是既有的${p.unit}；請先匯入或新增這個${p.unit}。`,
  units_overlap: (p: { unit: string; a: string; b: string; m2: number; lon: number; lat: number; tolerance: number }) =>
    `${p.unit}「${p.a}」與「${p.b}」重疊 ${n(p.m2)} 平方公尺，位置約在 (${p.lon}, ${p.lat})；每個地方只能屬於一個${p.unit}，請修正兩者的界線。${toleranceHint(p.tolerance)}`,
  units_gap: (p: { unit: string; m2: number; lon: number; lat: number; between: readonly string[]; tolerance: number }) =>
    `位置約在 (${p.lon}, ${p.lat}) 有一塊 ${n(p.m2)} 平方公尺的空隙不屬於任何${p.unit}${p.between.length ? `（位於 ${p.between.join('、')} 之間）` : ''}；` +
    `請修正界線，使${p.unit}之間沒有空隙。${toleranceHint(p.tolerance)}`,

  // Imports: the report's one sentence (ImportReport.message, server/import/report.ts)
  /** `problems`: the messages of the file's errors (unit boundaries, the datum of addresses). */
  import_refused_file: (p: { problems: readonly string[] }) =>
    `整份檔案未匯入，沒有寫入任何資料：${p.problems.length === 1 ? p.problems[0] : `單位的界線有 ${n(p.problems.length)} 處空隙或重疊（逐一列在 errors）。`}`,
  import_dry_run: (p: ImportCounts) =>
    `試算完成，沒有寫入任何資料：${n(p.rows)} 列中有 ${n(writable(p))} 列可以匯入${changes(p) ? `（${changes(p)}）` : ''}${p.error ? `，${n(p.error)} 列有錯誤` : ''}。`,
  import_refused_rows: (p: ImportCounts) =>
    `未匯入，沒有寫入任何資料：${n(p.error)} 列有錯誤。請修正後重新匯入，或以 validOnly=true 只匯入其餘 ${n(writable(p))} 列。`,
  import_unchanged: (p: ImportCounts) => (p.unchanged || !p.skip
    ? `沒有任何變更：圖層已有檔案中的資料（${n(p.unchanged)} 列不變${p.skip ? `，略過可能重複 ${n(p.skip)} 列` : ''}）。`
    : `沒有寫入任何資料：${n(p.skip)} 列都可能與既有資料重複，已略過；確定不是同一筆時，請以 duplicates=import 匯入。`),
  import_done: (p: ImportCounts) => `已匯入：${changes(p)}${p.error ? `；略過 ${n(p.error)} 列有錯誤的列` : ''}。`,

  // The address gazetteer's import (門牌 points)
  address_empty: () => '這一列沒有地址：地址欄，以及村里、街路段、地區、巷、弄、號各欄都是空的。',
  address_no_number: (p: { address: string }) => `「${p.address}」沒有門牌號（…號），不是一個門牌；請補上號碼或刪除這一列。`,
  address_duplicate: (p: { row: number; address: string }) =>
    `與第 ${p.row} 列是同一個門牌（「${p.address}」；臺/台、全形半形、之與 - 等寫法不同仍視為同一門牌）。`,
  address_outside_town: (p: { named: string; located: string; metres: number }) =>
    `地址在「${p.named}」，坐標卻落在${p.located ? `「${p.located}」` : '所有鄉鎮市區之外'}，距${p.named} ${p.metres} 公尺；請檢查坐標或地址。`,
  address_outside_village: (p: { named: string; located: string; metres: number }) =>
    `地址寫「${p.named}」，坐標卻在${p.located ? `「${p.located}」` : '所有村里之外'}，距${p.named} ${p.metres} 公尺。`,
  address_datum: (p: { read: string; likely: string; outside: number; inside: number; crs: string }) =>
    `坐標看來是 ${p.likely}，不是 ${p.read}：以 ${p.read} 讀取時 ${p.outside}% 的門牌落在地址所寫的鄉鎮市區或村里之外，` +
    `改以 ${p.likely} 讀取則 ${p.inside}% 落在其內。請加上 crs=${p.crs} 重新匯入。`,
} satisfies Record<string, (p: never) => string>;

/**
 * The `code` of an import row issue whose text is named otherwise here: codes several texts share, which the upload
 * page (web/src/import/issue-text.ts) and clients match. A text not listed is its own row issue code.
 */
export const ROW_ISSUE_CODES = {
  cell_unreadable: 'invalid_value', id_cell_invalid: 'invalid_value', instance_cell_invalid: 'invalid_value',
  coordinate_not_number: 'invalid_geometry', tm2_swapped: 'invalid_geometry', not_tm2: 'invalid_geometry', wkt_invalid: 'invalid_geometry',
  row_not_found: 'not_found', row_forbidden: 'forbidden', row_deleted: 'deleted', row_duplicate: 'duplicate',
  parent_unit_missing: 'invalid_reference',
} as const satisfies Partial<Record<keyof typeof IMPORT_MESSAGES, string>>;

/** What a register cell should have held, for one values.ts cannot read as its property's type (server/import/values.ts). */
export type CellExpected = 'text' | 'enum' | 'integer' | 'year' | 'number' | 'bearing' | 'boolean' | 'date' | 'timestamp' | 'reference' | 'ids' | 'indicators';
export interface CellProblem {
  /** The cell as written. */
  value: string;
  expected: CellExpected;
  /** The choices of an enum. */
  choices?: readonly { value: string; label: string }[];
}

/** The end of a sentence about a cell: 「…」不是日期；請寫成… */
const CELL_RULES: Record<CellExpected, (p: CellProblem) => string> = {
  text: () => '不是文字',
  enum: (p) => `不是可用的選項；請寫下列其中之一：${(p.choices ?? []).map((c) => `${c.label}（${c.value}）`).join('、')}`,
  integer: () => '不是整數；請寫十進位整數，例如 12',
  year: () => '不是年份；請寫西元或民國年，例如 2016 或 105',
  number: () => '不是數字；請寫十進位數字，例如 12.5（可帶單位，例如 30 公尺）',
  bearing: () => '不是方位角；請寫度數（0 以上、小於 360），或方位，例如 北、東南、北偏東30度、NE',
  boolean: () => '不是「是」或「否」；請寫 是/否、有/無、Y/N 或 true/false',
  date: () => '不是日期；請寫成例如 2024-05-01 或民國 113/05/01',
  timestamp: () => '不是日期與時間；請寫成例如 2024-05-01 14:30 或民國 113/05/01 14:30',
  reference: () => '不是資料的編號（正整數）',
  ids: () => '不是以逗號分隔的資料編號，例如 12, 15',
  indicators: () => '不是 JSON 物件，例如 {"drug_lab": ["chemical_smell"]}',
};

/** Why a record of a file cannot be read as a row (SourceRecord.problem, server/import/table.ts). */
export type RowProblem =
  /** A CSV row with another number of cells than the header. */
  | { problem: 'cell_count'; cells: number; columns: number }
  | { problem: 'not_feature' }
  /** An element of a JSON table that is not an object. */
  | { problem: 'not_object' };

const ROW_PROBLEMS: ProblemTexts<RowProblem> = {
  cell_count: (p) => `這一列有 ${n(p.cells)} 格，標題列有 ${n(p.columns)} 格：可能少了或多了分隔符號（逗號）或引號；請修正這一列。`,
  not_feature: () => '這一筆不是 GeoJSON Feature（{"type": "Feature", "geometry": …, "properties": {…}}）；請修正或刪除它。',
  not_object: () => 'JSON 表格的這一筆不是物件（以欄位名稱對應值，例如 {"名稱": "…"}）；請修正或刪除它。',
};

/** Which feature an import row is (server/import/targets.ts RowKey); `link` sources `instance:…` are another installation's ids. */
export type ImportKey = { kind: 'id'; id: number } | { kind: 'code'; code: string } | { kind: 'link'; source: string; key: string };
const keyName = (k: ImportKey) => (k.kind === 'id' ? `編號 ${k.id}` : k.kind === 'code' ? `代碼「${k.code}」`
  : k.source.startsWith('instance:') ? `另一套本系統（${k.source.slice('instance:'.length)}）的編號「${k.key}」` : `來源「${k.source}」的原系統編號「${k.key}」`);

/** Where a coordinate system an import was given comes from, as crs_mismatch says it. */
const CRS_SOURCES = { parameter: '參數 crs 指定的坐標系統', file: '檔案宣告的坐標系統', saved: '這個來源上次匯入時儲存的坐標系統' } as const;

/** An import's rows by outcome (server/import/report.ts Counts). */
interface ImportCounts { rows: number; ok: number; warning: number; error: number; create: number; update: number; unchanged: number; skip: number; delete: number }
/** Rows that pass and are not left out as likely duplicates. */
const writable = (c: ImportCounts) => c.ok + c.warning - c.skip;
const changes = (c: ImportCounts) => [c.create && `新增 ${n(c.create)}`, c.update && `更新 ${n(c.update)}`, c.unchanged && `不變 ${n(c.unchanged)}`,
  c.delete && `刪除 ${n(c.delete)}`, c.skip && `略過可能重複 ${n(c.skip)}`].filter(Boolean).join('、');

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

/** Why an import file cannot be read as the format it is (besides the reader's own failures). */
export type FileProblem =
  | { problem: 'csv_quote'; line?: number }
  /** `detail`: the CSV parser's own (English) account. */
  | { problem: 'csv_record'; line?: number; detail: string }
  | { problem: 'empty' }
  | { problem: 'duplicate_column'; column: string }
  /** `detail`: the XML parser's own (English) account; none when the root element is not <kml>. */
  | { problem: 'not_kml'; detail?: string }
  /** A file of no bytes at all. */
  | { problem: 'no_bytes' }
  /** A .shp or .dbf sent on its own, not zipped with its siblings. */
  | { problem: 'shapefile_loose' }
  /** `entries`: what the zip holds. */
  | { problem: 'zip_no_layer'; entries: readonly string[] }
  | { problem: 'kmz_no_kml'; entries: readonly string[] }
  | { problem: 'zip_no_shp'; entries: readonly string[] }
  | { problem: 'zip_many_shp'; files: readonly string[] }
  /** `detail`: the shapefile library's own (English) account. */
  | { problem: 'shp_unreadable'; detail: string }
  /** `detail`: the JSON parser's own (English) account. */
  | { problem: 'not_json'; detail: string }
  | { problem: 'geojson_no_features' }
  | { problem: 'json_table' };

/** One text per kind of problem, taking that kind's parameters. */
type ProblemTexts<U extends { problem: string }> = { [K in U['problem']]: (p: Extract<U, { problem: K }>) => string };

const atLine = (line: number | undefined) => (line === undefined ? '' : `第 ${n(line)} 行`);

const FILE_PROBLEMS: ProblemTexts<FileProblem> = {
  csv_quote: (p) => `CSV ${atLine(p.line)}有一格以引號開頭，引號卻沒有結束，沒有寫入任何資料。請補上結尾的引號（或刪除多餘的引號）後重新上傳。`,
  csv_record: (p) => `CSV ${atLine(p.line)}無法讀取（${p.detail}），沒有寫入任何資料。請修正該行後重新上傳。`,
  empty: () => '檔案是空的：第一列必須是欄位名稱（標題列），沒有寫入任何資料。請確認檔案內容後再上傳。',
  duplicate_column: (p) => `標題列中的欄位名稱「${p.column}」出現了兩次，沒有寫入任何資料。請讓每個欄位各有不同的名稱後再上傳。`,
  not_kml: (p) => `這個檔案不是可讀取的 KML（${p.detail ?? '根元素不是 <kml>'}），沒有寫入任何資料。請確認檔案是完整的 KML 後再上傳。`,
  no_bytes: () => '檔案是空的（0 位元組），沒有寫入任何資料。請確認選擇的檔案後再上傳。',
  shapefile_loose: () => 'Shapefile 必須把 .shp、.shx、.dbf、.prj（與 .cpg）壓縮成一個 .zip 檔上傳，沒有寫入任何資料。',
  zip_no_layer: (p) => `壓縮檔中沒有 Shapefile（.shp），也沒有 KML（.kml）${inZip(p.entries)}，沒有寫入任何資料。請確認壓縮的是要匯入的檔案。`,
  kmz_no_kml: (p) => `KMZ 檔中沒有 .kml 檔${inZip(p.entries)}，沒有寫入任何資料。請確認檔案是完整的 KMZ 後再上傳。`,
  zip_no_shp: (p) => `壓縮檔中沒有 .shp 檔${inZip(p.entries)}，沒有寫入任何資料。請把 Shapefile 的 .shp、.shx、.dbf、.prj 壓縮成一個 .zip 檔後再上傳。`,
  zip_many_shp: (p) => `壓縮檔中有 ${n(p.files.length)} 個 Shapefile（${p.files.join('、')}），沒有寫入任何資料。每次只能匯入一個 Shapefile：請分開壓縮後逐一匯入。`,
  shp_unreadable: (p) => `Shapefile 的 .shp 無法讀取（${p.detail}），沒有寫入任何資料。壓縮檔可能不完整：請從原始系統重新匯出 Shapefile 後再匯入。`,
  not_json: (p) => `檔案不是有效的 JSON（${p.detail}），沒有寫入任何資料。請修正後重新上傳。`,
  geojson_no_features: () => 'GeoJSON 中沒有圖徵：應為 FeatureCollection、單一 Feature 或 Feature 的陣列，沒有寫入任何資料。',
  json_table: () => 'JSON 表格必須是物件的陣列，每個物件是一列（欄位名稱對應值），沒有寫入任何資料。',
};

/** How to accept a file whose boundaries are as their publisher drew them. */
const toleranceHint = (m2: number) => `（目前容許 ${n(m2)} 平方公尺以內；若原始資料本來如此，可用 tolerance 參數放寬，單位平方公尺，上限 1 億。）`;

/** What a zip holds, as the refusals above list it. */
const inZip = (entries: readonly string[]) => (entries.length ? `（壓縮檔內的檔案：${entries.join('、')}）` : '（壓縮檔是空的）');

/** Why a file's bytes are not text in the encoding it was read as (server/import/encoding.ts). */
export type EncodingProblem =
  /** Not UTF-8: the first bad byte and its line; `big5` when the bytes read as Big5. */
  | { problem: 'not_utf8'; byte: number; line: number; big5: boolean }
  /** Not the encoding declared (the parameter, a saved mapping, a .cpg); `utf8` when it is valid UTF-8. */
  | { problem: 'not_declared'; encoding: string; line: number; utf8: boolean }
  | { problem: 'neither'; line: number };

const ENCODING_PROBLEMS: ProblemTexts<EncodingProblem> = {
  not_utf8: (p) => `檔案不是有效的 UTF-8（第 ${n(p.line)} 行的位元組 0x${p.byte.toString(16)}），沒有寫入任何資料。` +
    (p.big5 ? '它可以用 Big5 讀取：請加上 encoding=big5，或不指定 encoding，由系統自動判斷。' : '請另存為 UTF-8 或 Big5 後再上傳。'),
  not_declared: (p) => `檔案在第 ${n(p.line)} 行不是有效的 ${p.encoding === 'big5' ? 'Big5' : p.encoding.toUpperCase()}，沒有寫入任何資料。` +
    (p.utf8 ? '它是有效的 UTF-8：請改用 encoding=utf-8，或不指定 encoding，由系統自動判斷。' : '請另存為 UTF-8 或 Big5 後再上傳。'),
  neither: (p) => `檔案既不是 UTF-8，也不是 Big5（950 字碼頁）：從第 ${n(p.line)} 行起無法解讀，沒有寫入任何資料。請另存為 UTF-8 或 Big5 後再上傳。`,
};

/** A position refused for where it is; `what` names it (坐標, bbox 的角…). */
