import { ACCOUNT_MESSAGES } from './account-messages.js';
import { IMPORT_MESSAGES } from './import-messages.js';
import { PLAN_MESSAGES } from './plan-messages.js';
import { HttpError } from './errors.js';
import { n, size } from './wording.js';

/**
 * The one catalogue of what the service tells people: a stable code (what programs and tests
 * match on) and its Traditional Chinese text, which says what went wrong and what to do next.
 * Add a code here rather than writing a sentence where the refusal is raised, so the wording
 * stays consistent and can be reviewed in one place.
 */
const CATALOGUE = {
  ...ACCOUNT_MESSAGES,
  ...PLAN_MESSAGES,
  ...IMPORT_MESSAGES,
  // Requests in general
  too_many_requests: (p: { seconds: number }) => `要求過於頻繁，請於 ${p.seconds} 秒後再試。`,
  service_busy: (p: { seconds: number }) => `系統忙碌中，請於 ${p.seconds} 秒後再試。`,
  body_too_large: (p: { max: number }) =>
    `請求內容超過 ${size(p.max)} 的上限（BODY_LIMIT），沒有寫入任何資料。請分成幾次較小的請求送出；大量資料請改用匯入（POST /api/import/{圖層}）。`,
  /** `detail` is the JSON parser's own (English) account of where it stopped. */
  malformed_json: (p: { detail: string }) => `請求內容不是有效的 JSON（${p.detail}）；請修正 JSON 的寫法後再送出。`,
  /** The body parser's refusals (server/http/errors.ts): a charset or a Content-Encoding it cannot read, a body cut short. */
  body_charset: (p: { charset: string }) => `請求內容的字元集「${p.charset}」不受支援；請以 UTF-8 編碼，並標示 charset=utf-8（或不標示字元集）。`,
  body_encoding: (p: { encoding: string }) => `請求內容的壓縮方式（Content-Encoding: ${p.encoding}）不受支援；請改用 gzip、deflate 或 br 壓縮，或不壓縮。`,
  body_cut_off: () => '請求內容在傳完之前就中斷了，沒有寫入任何資料；請重新送出。',
  body_length_mismatch: () => '請求內容的長度與 Content-Length 標頭不符，沒有寫入任何資料；請重新送出。',
  /** Any other 4xx Express or a parser raises without a code of ours; `detail` is its own (English) account. */
  invalid_request: (p: { detail: string }) => `無法處理這個請求（${p.detail}）；請檢查網址、參數與請求內容後再送出。`,
  internal: () => '伺服器發生未預期的錯誤，這項要求沒有完成；請稍後再試，若一再發生，請通知系統管理者。',

  // Writes PostgreSQL refuses by a rule of its own (server/http/errors.ts); `detail` is PostgreSQL's own (English) account
  conflict: (p: { detail: string }) => `這筆資料與既有的資料重複（${p.detail}）；請檢查代碼或編號是否已被其他資料使用。`,
  invalid_reference: (p: { detail: string }) => `指向的資料不存在或已刪除（${p.detail}）；請檢查參照的編號或代碼。`,
  invalid_value: (p: { detail: string }) => `有值不符資料庫的規定（${p.detail}）；請修正這個值後再送出。`,
  missing_value: (p: { detail: string }) => `缺少必填的值（${p.detail}）；請補上後再送出。`,

  // Basemaps served from local archives (/basemaps/…)
  basemap_unknown: (p: { name: string }) => `沒有名為「${p.name}」的底圖檔；可用的底圖列在 GET /api/app-config 的 basemaps。`,
  basemap_tile_coordinates: (p: { tile: string; maxZoom: number }) =>
    `圖磚座標「${p.tile}」不正確：縮放層級須為 0 到 ${p.maxZoom} 的整數，x 與 y 須為小於 2 的 z 次方的整數。`,
  basemap_tile_format: (p: { name: string; ext: string }) => `底圖「${p.name}」的圖磚是 .${p.ext} 格式，請以 .${p.ext} 結尾的網址索取。`,
  basemap_tile_missing: (p: { name: string; tile: string }) => `底圖「${p.name}」在 ${p.tile} 沒有圖磚（超出它涵蓋的範圍或縮放層級）。`,
  basemap_damaged: (p: { name: string }) => `底圖檔「${p.name}」已損毀，讀不出這張圖磚；請管理者重新產生或更換這個檔案。`,

  // Requests that reach nothing, or come from the wrong place
  no_such_endpoint: (p: { method: string; path: string }) => `沒有這個端點：${p.method} ${p.path}。可用的端點請見 README 的 API 一節（或 GET /api/layers、/ogc）。`,
  not_own_record: (p: { layer: string }) =>
    `這筆${p.layer}是同事建立的：員警只能修改自己建立的紀錄。請由建立者本人，或由警察局（系統管理者）更正。`,
  cross_site_write: () => '拒絕跨站請求：以登入 Cookie 變更資料的請求必須來自本系統的網頁。程式呼叫請改用 Authorization: Bearer 權杖。',

  // Input: every value checked to its type's range where it comes in (server/http/text.ts, numbers.ts, time.ts, parameters.ts, server/geo/bbox.ts)
  unknown_parameter: (p: { name: string; accepted: readonly string[] }) =>
    `不認得參數「${p.name}」。${p.accepted.length ? `可用的參數：${p.accepted.join('、')}。` : '這個端點不接受參數。'}`,
  repeated_parameter: (p: { field: string }) => `參數「${p.field}」只能給一次。`,
  text_nul: (p: { field: string }) => `「${p.field}」含有空字元（NUL，U+0000），請刪除後再送出。`,
  text_lone_surrogate: (p: { field: string }) => `「${p.field}」含有不成對的 UTF-16 代理字元，不是有效的 Unicode 文字；請檢查文字的編碼後再送出。`,
  query_not_utf8: (p: { field: string }) => `網址參數「${p.field}」的百分比編碼不是有效的 UTF-8；請以 UTF-8 編碼後再送出。`,
  body_not_utf8: () => '請求內容不是有效的 UTF-8 文字；請以 UTF-8 編碼後再送出。',
  integer_out_of_range: (p: { field: string; min: number | string; max: number | string }) =>
    `「${p.field}」必須是 ${p.min} 到 ${p.max} 之間的整數，以十進位數字書寫（例如 12）。`,
  number_not_decimal: (p: { field: string }) => `「${p.field}」必須是十進位數字，例如 120.25 或 -3.5。`,
  id_invalid: (p: { field: string; value: string; max: number }) =>
    `「${p.field}」的「${p.value}」不是有效的編號：編號是 1 到 ${p.max} 之間的十進位整數。`,
  cursor_invalid: () => 'cursor 不是本服務給出的分頁游標；請不帶 cursor 從第一頁重新查詢，並使用回應中 next 連結的 cursor。',
  limit_out_of_range: (p: { max: number }) => `limit 必須是 1 到 ${p.max} 之間的整數。`,
  too_many_values: (p: { field: string; max: number }) => `「${p.field}」最多可列 ${p.max} 個值（以逗號分隔）。`,
  text_too_long: (p: { field: string; max: number }) => `「${p.field}」最多 ${p.max} 個字。`,
  bbox_format: (p: { field: string; count: string }) =>
    `「${p.field}」必須是 ${p.count} 個以逗號分隔的十進位數字：西界經度,南界緯度,東界經度,北界緯度（WGS84 度），例如 120.1,22.9,120.3,23.1。`,
  bbox_projected: (p: { field: string }) => `「${p.field}」看起來是投影座標（公尺，例如 TWD97）；請改用 WGS84 經緯度（度）。`,
  bbox_out_of_range: (p: { field: string }) =>
    `「${p.field}」超出範圍：經度須在 -180 到 180 度、緯度須在 -90 到 90 度之間；順序是西界經度,南界緯度,東界經度,北界緯度（是否把經緯度寫反了？）。`,
  bbox_empty: (p: { field: string }) => `「${p.field}」的西界必須小於東界、南界必須小於北界（範圍不可為空）。`,
  bbox_antimeridian: (p: { field: string }) =>
    `「${p.field}」的西界大於東界，表示跨越 180 度經線；本系統的資料都在臺灣一帶，不支援跨越 180 度經線的範圍，請改為西界小於東界。`,
  datetime_format: (p: { field: string; value: string }) =>
    `「${p.field}」的「${p.value}」不是 ISO 8601（RFC 3339）的日期或時間，例如 2025-03-01 或 2025-03-01T08:00:00+08:00（不寫時區即為臺灣時間）。`,
  datetime_year: (p: { field: string }) => `「${p.field}」的年份必須在 1 到 9999 之間。`,
  datetime_offset: (p: { field: string }) => `「${p.field}」的時區位移必須在 -14:00 到 +14:00 之間（臺灣時間為 +08:00）。`,
  crs_not_wgs84: (p: { name: string }) =>
    `GeoJSON 的 crs 成員宣告了座標參考系統「${p.name}」，這裡不受支援：GeoJSON（RFC 7946）一律使用 WGS84 經緯度。請先把座標轉成 WGS84、刪除 crs 後再送出，或用匯入功能（POST /api/import/{圖層}）讀取 TWD97、TWD67 等座標。`,
  crs_invalid: () => 'GeoJSON 的 crs 成員必須寫成 {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}，或乾脆省略（RFC 7946 的 GeoJSON 一律為 WGS84）。',
  column_name_invalid: (p: { column: string }) =>
    `檔案的欄位名稱「${p.column}」含有空字元（NUL）或無效的 Unicode 字元；請修正標題列後再匯入。`,

  // Positions (longitude, latitude) that cannot be in Taiwan (server/geo/taiwan.ts); `what` names the position, 坐標 by default
  position_projected: (p: PositionParams) =>
    `${where(p)}看起來是 TWD97 的公尺坐標（EPSG:3826），不是經緯度；請改送 WGS84 的經度、緯度（度），例如 121.3, 24.99。`,
  position_swapped: (p: PositionParams) => `${where(p)}的經度與緯度寫反了：順序是經度在前、緯度在後，應為 (${p.lat}, ${p.lon})。`,
  position_not_degrees: (p: PositionParams) => `${where(p)}不是以度為單位的經緯度：經度須在 -180 到 180 之間、緯度須在 -90 到 90 之間。`,
  position_outside_taiwan: (p: PositionParams) =>
    `${where(p)}不在臺灣及其離島（本島、澎湖、金門、馬祖、綠島、蘭嶼、東沙、太平島）的範圍內；請檢查坐標是否正確。`,

  // Filters of feature listings, tiles and analyses (server/features/list-query.ts)
  hours_invalid: (p: { field: string }) => `「${p.field}」必須是 0 到 23 的整數（時），或其範圍，例如 20-23，或跨午夜的 22-2；以逗號分隔數個。`,
  weekdays_invalid: (p: { field: string; names: readonly string[] }) =>
    `「${p.field}」必須是 1（星期一）到 7（星期日）的整數或其範圍，或 ${p.names.join('、')}，例如 1-5 或 sat,sun。`,
  datetime_interval: (p: { field: string }) => `「${p.field}」必須是一個時間，或「開始/結束」的期間（任一端可寫 .. 表示不限）。`,
  datetime_open: (p: { field: string }) => `「${p.field}」至少要有一端是時間，不能只寫「..」。`,
  filter_not_a_choice: (p: { field: string; value: string; choices: readonly { value: string; label: string }[] }) =>
    `「${p.field}」沒有「${p.value}」這個值；可用的值：${p.choices.map((c) => `${c.value}（${c.label}）`).join('、')}。`,
  filter_not_boolean: (p: { field: string }) => `「${p.field}」必須是 true 或 false（也可寫 1 或 0）。`,
  filter_not_filterable: (p: { field: string }) => `「${p.field}」不能用來篩選。`,
  layer_untimed: (p: { layer: string; field: string }) => `${p.layer}沒有時間欄位，不能以「${p.field}」篩選；請拿掉這個參數。`,

  // OGC API – Features (/ogc)
  ogc_format: (p: { value: string }) => `本服務只提供 JSON：「f」只能是 json，不能是「${p.value}」；請拿掉 f，或改為 f=json。`,

  // Vector tiles (/tiles/{layers}/{z}/{x}/{y}.mvt)
  tile_layer_unknown: (p: { layer: string }) =>
    `沒有「${p.layer}」這個圖磚圖層，或你的帳號不能讀取它；可用的圖層列在 GET /tiles/style.json（或 /api/layers）。`,
  tile_coordinate: (p: { field: string; value: string }) => `圖磚座標「${p.field}」必須是 0 或正整數，不能是「${p.value}」。`,
  tile_zoom: (p: { z: number; layers: string; min: number; max: number }) =>
    `縮放層級 ${p.z} 超出圖層 ${p.layers} 的範圍（${p.min} 到 ${p.max}）；請索取這個範圍內的圖磚。`,
  tile_outside_grid: (p: { field: 'x' | 'y'; value: number; z: number; last: number }) =>
    `圖磚座標 ${p.field}=${p.value} 超出縮放層級 ${p.z} 的範圍（0 到 ${p.last}）。`,
  tile_filters_only: (p: { name: string; layer: string }) =>
    `圖磚只接受篩選條件，不接受「${p.name}」；「${p.name}」請用於 GET /api/layers/${p.layer}/features。`,
  tile_layers_encoding: (p: { value: string }) => `圖層清單「${p.value}」的百分比編碼不正確；請以 UTF-8 百分比編碼圖層名稱後再索取。`,

  // Exports (/api/export/{layer})
  export_format: (p: { value: string; formats: readonly string[] }) => `「format」必須是 ${p.formats.join('、')} 其中之一，不能是「${p.value}」。`,
  export_crs: (p: { value: string }) => `「crs」必須是 EPSG:4326（WGS84 經緯度）或 EPSG:3826（TWD97 TM2 公尺坐標），不能是「${p.value}」。`,
  export_crs_csv_only: (p: { format: string }) =>
    `${p.format}一律使用 WGS84 經緯度；crs=EPSG:3826（TWD97）只適用於 CSV：請拿掉 crs，或改用 format=csv。`,
  export_encoding_csv_only: (p: { format: string }) => `${p.format} 一律以 UTF-8 編碼；encoding 只適用於 CSV：請拿掉 encoding，或改用 format=csv。`,
  export_header: (p: { value: string }) =>
    `「header」必須是 label（中文欄名與選項名稱）或 name（欄位代碼與儲存的值），不能是「${p.value}」。`,
  export_no_paging: (p: { field: string }) =>
    `匯出一次包含所有符合條件的資料，不分頁：請拿掉「${p.field}」（分頁用於 GET /api/layers/{圖層}/features）。`,
  encoding_not_written: (p: { value: string }) => `無法以「${p.value}」編碼輸出檔案；請用 utf-8 或 big5。`,

  // Roll-ups (/api/rollups)
  rollup_by: (p: { value: string }) => `「by」必須是 ${levelChoices()} 其中之一，不能是「${p.value}」。`,
  rollup_format: (p: { value: string }) => `「format」必須是 json 或 csv，不能是「${p.value}」。`,
  rollup_table: (p: { value: string }) => `「table」必須是 units（每個單位一列）、overdue（逾期未查訪的處所）、patrol（各巡簽點的簽到）或 plans（巡邏計畫執行，逐週），不能是「${p.value}」。`,
  rollup_unit_unknown: (p: { code: string }) => `沒有代碼為「${p.code}」的警察局、分局、派出所或警勤區；請檢查 unit。`,
  rollup_unit_level: (p: { code: string; level: UnitLevel; by: UnitLevel }) =>
    `「${p.code}」是${UNIT_LEVELS[p.level]}，底下沒有${UNIT_LEVELS[p.by]}可以彙整：by=${p.by} 時，unit 必須是${UNIT_LEVELS[p.by]}或更上層的單位。請改選 unit，或改用 by=${p.level}。`,
  rollup_outside_precinct: (p: { precinct: string }) => `你的彙整只涵蓋你的分局（${p.precinct}）：請查詢該分局，或其轄下的單位。`,
  rollup_overdue_police_only: () => '沒有這份清單：逾期未查訪清單（table=overdue）只提供警察帳號；請改用 table=units。',
  rollup_patrol_police_only: () => '沒有這份清單：巡簽點簽到表（table=patrol）與巡邏計畫執行表（table=plans）只提供警察帳號；請改用 table=units。',
  rollup_period: (p: { value: string }) =>
    `「period」的「${p.value}」不是可用的期間：請寫半年（例如 2026H1）、季（2026Q2）、月（2026-03）或年（2026）。`,
  rollup_period_and_range: () => '請只給 period，或只給 from 與 to，不能兩者都給。',
  rollup_range_missing: (p: { field: string }) => `缺少「${p.field}」：請同時給 from 與 to（YYYY-MM-DD），或改用 period。`,
  rollup_range_reversed: () => '「from」不能晚於「to」；請對調兩個日期。',
  rollup_range_too_long: (p: { days: number }) => `一次彙整最多涵蓋 ${n(p.days)} 天（約十年）；請縮短 from 到 to 的期間，或分成幾次查詢。`,

  // 電子巡簽 (server/patrol)
  signin_officers_only: () => '巡簽由員警在自己的警勤區進行：請以員警帳號登入後再簽到。',
  signin_point_unknown: (p: { id: number }) => `沒有編號 ${p.id} 的巡簽點，或不在你的轄區；請從地圖上點選簽到點。`,
  signin_other_beat: (p: { point: string; beat: string }) =>
    `「${p.point}」在${p.beat}，不是你的警勤區，不能在此簽到；請到你警勤區的簽到點簽到。`,
  signin_token_foreign: (p: { point: string }) => `這個 QR code 不是「${p.point}」的簽到碼：請掃描貼在此簽到點上的 QR code。`,
  signin_token_far: (p: { metres: number }) =>
    `你的位置距離簽到點 ${n(p.metres)} 公尺，與掃描的 QR code 不符，不能簽到；請在簽到點現場掃描。`,
  signin_inaccurate: (p: { metres: number }) =>
    `定位誤差約 ${n(p.metres)} 公尺，無法確認你在簽到點旁：請到空曠處重新定位，或掃描簽到點的 QR code。`,
  signin_too_far: (p: { metres: number; limit: number }) =>
    `距離簽到點 ${n(p.metres)} 公尺，請靠近後再簽（須在 ${n(p.limit)} 公尺內），或掃描簽到點的 QR code。`,
  signin_no_position: () => '簽到須有手機的定位：請允許定位（在室內請靠近窗邊或到戶外），再簽到或掃描簽到點的 QR code。',
  signin_repeat: (p: { point: string; minutes: number; at: string }) =>
    `你 ${p.minutes} 分鐘內已在「${p.point}」簽到過（${p.at}），不必再簽。`,
  signin_body: (p: { field: string }) =>
    `簽到資料的「${p.field}」不正確：請送出手機定位的 lon、lat（度）與 accuracy（公尺，大於 0），掃描 QR code 時另加 token。`,
  signin_done: (p: { point: string; metres: number | null; qr: boolean }) =>
    `已在「${p.point}」簽到${p.qr ? '（QR code）' : p.metres === null ? '' : `（距離 ${n(p.metres)} 公尺）`}。`,
  patrol_codes_truncated: (p: { max: number }) => `巡簽點超過 ${n(p.max)} 處，只列出前 ${n(p.max)} 處：請以 station 指定派出所，分次列印。`,
  patrol_code_renewed: () => '已產生新的 QR code：舊的 QR code 不能再簽到，請列印新的並換貼。',
  patrol_codes_planners_only: () => '巡簽點的 QR code 只提供分局承辦人與警察局列印；請以承辦人帳號登入。',

  // Public statistics (what the community and the public may ask of analysis: server/analysis/disclosure.ts)
  public_statistics_filter: (p: { field: string }) =>
    `公開統計不分案類、時段或星期，也不依案件時間加權（參數 ${p.field}）：請拿掉這個條件，或以警察帳號登入查詢。`,
  public_statistics_period: (p: { example: string; latest: string }) =>
    `公開統計以完整的季為單位，每季結束後才公開：請用季初到季末的日期，例如 ${p.example}（最近公開的是 ${p.latest}）。`,
  public_statistics_period_too_long: (p: { max: number }) => `公開統計一次最多查詢 ${p.max} 季：請縮短 datetime 的期間。`,
  public_statistics_grid: (p: { size: number }) =>
    `公開統計使用固定的 ${p.size} 公尺方格：請拿掉 grid 與 cellSize，或設為 grid=square、cellSize=${p.size}。`,
  public_statistics_bandwidth: (p: { min: number }) => `公開的核密度由 200 公尺方格算出，頻寬至少 ${p.min} 公尺：請加大 bandwidth。`,

  // Analysis (/api/analysis): its scope, its grid and its periods
  analysis_not_for_role: () => '沒有這項分析，或你的帳號不能使用它；可用的分析請見 README 的「Analysis」一節。',
  analysis_parameters_not_object: () => '分析的參數必須是 JSON 物件（POST）或網址參數（GET）。',
  /** `rule` is one of PARAMETER_RULES' texts (server/analysis/params.ts). */
  analysis_parameter_invalid: (p: { field: string; rule: string }) => `「${p.field}」${p.rule}。`,
  analysis_one_scope: (p: { given: readonly string[] }) =>
    `分析範圍只能給一種（bbox、beat、station、precinct 或 polygon），這裡給了 ${p.given.join(' 和 ')}：請只留一個。`,
  analysis_unit_unknown: (p: { unit: string; code: string; table: string }) =>
    `沒有代碼為「${p.code}」的${p.unit}；全部的${p.unit}列在 GET /api/layers/${p.table}/features。`,
  analysis_outside_precinct: (p: { where: string; precinct: string }) => `${p.where}不在你的分局（${p.precinct}）轄區內；請選擇轄區內的範圍。`,
  analysis_outside_area: (p: { where: string }) => `${p.where}不在你的社區範圍內；請選擇社區範圍內的地方。`,
  analysis_empty_scope: (p: { where: string }) => `${p.where}沒有可分析的面積；請選擇其他範圍。`,
  analysis_period_reversed: (p: { field: string }) => `「${p.field}」的開始必須早於結束。`,
  analysis_test_before_train: () => '驗證期間（test）必須在訓練期間（train）結束之後才開始；請調整兩段期間。',
  near_repeat_too_many: (p: { n: number; max: number }) =>
    `這個範圍與期間有 ${n(p.n)} 件案件，近重複分析一次最多 ${n(p.max)} 件；請縮小範圍（派出所或分局）、縮短期間（datetime）或指定案類（types）。`,
  near_repeat_too_dense: (p: { max: number }) =>
    `距離帶內的案件配對超過 ${n(p.max)} 對；請縮小距離帶（distanceBand、distanceBands）、範圍或期間。`,
  analysis_grid_too_large: (p: { size: number; hexagon: boolean; cells: number; max: number; field: string }) =>
    `以 ${n(p.size)} 公尺的${p.hexagon ? '六角形' : '正方形'}網格分析這個範圍約有 ${n(p.cells)} 格，超過 ${n(p.max)} 格的上限；請加大 ${p.field} 或縮小範圍。`,
  analysis_area_too_large: (p: { size: number; cells: number; max: number }) =>
    `這個範圍以 ${n(p.size)} 公尺方格計約有 ${n(p.cells)} 格，超過 ${n(p.max)} 格的上限；公開統計的方格大小固定，請縮小範圍（bbox，或指定派出所、警勤區）。`,
  backtest_window_in_future: (p: { windows: number; end: string }) =>
    `${p.windows > 1 ? `第 ${p.windows} 次` : ''}驗證期間要到 ${p.end} 才結束，還沒發生的案件無法驗證；請把期間提前${p.windows > 1 ? '或減少 windows' : ''}。`,
  backtest_too_large: (p: { windows: number; incidents: number; cells: number; max: number }) =>
    `這次回測要以 ${n(p.incidents)} 件案件、${n(p.cells)} 格做 ${n(p.windows)} 次，超過一次可做的量（次數 ×（案件數 + 2 × 格數）不超過 ${n(p.max)}）；請減少 windows、縮小範圍、加大 cellSize 或縮短期間。`,
  forecast_too_large: (p: { events: number; cells: number; max: number; published: boolean }) => (p.published
    ? `這次預測要以 ${n(p.cells)} 格、${n(p.events)} 筆各季方格統計計算，超過一次可做的量（筆數 + 2 × 格數不超過 ${n(p.max)}）；請縮小範圍（bbox）或縮短 history。`
    : `這次預測要以 ${n(p.events)} 件案件、${n(p.cells)} 格計算，超過一次可做的量（案件數 + 2 × 格數不超過 ${n(p.max)}）；請縮小範圍、加大 cellSize 或縮短 history。`),
  forecast_method_not_published: (p: { methods: string }) => `公開統計只能以這些方法預測：${p.methods}；請改用其中之一，或不指定 method（使用建議方法）。`,
  forecast_horizon_published: () => '公開統計以季為單位，預測的是本季（進行中的這一季）；請拿掉 horizon。',
  // Warnings beside a hot-spot answer (not refusals): what makes its Gi* less reliable, and what to do.
  analysis_few_cells: (p: { cells: number }) => `範圍內只有 ${p.cells} 格：熱點統計（Gi*）在 30 格以上才可靠，請改用較小的網格或較大的範圍。`,
  analysis_lonely_cells: (p: { cells: number }) => `有 ${p.cells} 格在比較距離內沒有相鄰的網格：請加大比較距離（band）。`,
  analysis_band_too_large: (p: { band: number; perCell: number; max: number }) =>
    `以 ${n(p.band)} 公尺的比較距離（band），每格要與約 ${n(p.perCell)} 格比較，總數超過 ${n(p.max)} 對的上限；請縮小 band、加大 cellSize 或縮小範圍。`,
  analysis_band_too_small: (p: { spacing: number }) =>
    `band（鄰近距離）至少要等於相鄰網格中心的距離 ${p.spacing} 公尺，否則網格沒有鄰居可比較；請加大 band。`,
  analysis_cell_over_bandwidth: (p: { cellSize: number; bandwidth: number }) =>
    `網格大小 cellSize（${n(p.cellSize)} 公尺）不能大於頻寬 bandwidth（${n(p.bandwidth)} 公尺），否則會漏算案件；請縮小 cellSize 或加大 bandwidth。`,
  analysis_key_places_police_only: () => '治安重點處所只供警察帳號分析：請拿掉 keyPlaceWeight。',
  reaim_too_many_cameras: (p: { count: number; max: number }) =>
    `這個範圍有 ${n(p.count)} 支可轉向的監視器，超過一次 ${n(p.max)} 支的上限；請選擇較小的範圍（例如一個派出所）。`,
  new_sites_grid_too_large: (p: { spacing: number; sites: number }) =>
    `以 ${n(p.spacing)} 公尺的間距在這個範圍找候選點約有 ${n(p.sites)} 個；請加大 spacing 或縮小範圍。`,
  new_sites_needs_sites: (p: { candidates: string }) => `candidates=${p.candidates} 需要 sites（你提出的候選地點）；請加上 sites，或改用 candidates=grid。`,
  new_sites_outside_scope: (p: { index: number }) => `sites 的第 ${p.index + 1} 個地點（sites[${p.index}]）不在分析範圍內；請移除它或擴大範圍。`,
  new_sites_too_many: (p: { count: number; max: number }) =>
    `候選地點有 ${n(p.count)} 個，超過 ${n(p.max)} 個的上限；請加大 spacing、減少 sites 或縮小範圍。`,
  new_sites_too_many_options: (p: { count: number; max: number }) =>
    `候選地點與方向的組合有 ${n(p.count)} 個，超過 ${n(p.max)} 個的上限；請加大 step（方向間隔）或減少候選地點。`,

  // Shapes (the feature API and imports alike): their GeoJSON structure (server/geo/geojson.ts) and topology
  geometry_not_object: () => '圖形必須是 GeoJSON 的 geometry 物件，例如 {"type": "Point", "coordinates": [121.3, 24.99]}。',
  geometry_type: (p: { kind: 'Point' | 'MultiPolygon'; type: string }) => `這裡的圖形必須是${GEOMETRY_KINDS[p.kind]}，不能是 ${p.type}。`,
  coordinates_not_numbers: () => '坐標必須是數字（不加引號），例如 [121.3, 24.99]。',
  position_format: () => '每個位置必須是 [經度, 緯度] 兩個數字（可再加高度，最多三個），例如 [121.3, 24.99]。',
  coordinates_nesting: (p: { type: string }) =>
    `coordinates 的層次不符 ${p.type} 的格式：Polygon 是環的陣列，每個環是位置的陣列，例如 [[[121.3, 24.99], …]]；MultiPolygon 是 Polygon 的陣列。`,
  ring_too_short: () => '多邊形的環至少要有 4 個位置（最後一個與第一個相同，使環閉合）。',
  polygon_no_ring: () => '多邊形至少要有一個外環。',
  multipolygon_empty: () => 'MultiPolygon 至少要有一個多邊形。',
  ring_not_closed: () => '多邊形的環沒有閉合：最後一個位置必須與第一個位置相同。',
  /**
   * A shape PostGIS finds invalid (server/geo/validity.ts); `reason` is ST_IsValidReason's, without the position. Or,
   * with `detail`, a write PostGIS itself failed on (server/http/errors.ts): its own (English) account.
   */
  invalid_geometry: (p: { field: string; reason: string; at?: { lon: string; lat: string } } | { detail: string }) =>
    ('detail' in p ? `圖形無效，資料庫無法處理（${p.detail}）。`
      : `「${p.field}」的圖形無效：${GEOS_REASONS[p.reason] ? `${GEOS_REASONS[p.reason]}（${p.reason}）` : p.reason}${p.at ? `，位置約在 (${p.at.lon}, ${p.at.lat})` : ''}。`) +
    '請修正圖形，使邊線不互相交叉、內環（洞）位於外環之內後再送出。',
  feature_too_many_vertices: (p: { max: number; row?: number }) =>
    `${p.row === undefined ? '圖形' : `第 ${n(p.row)} 筆的圖形`}超過 ${n(p.max)} 個頂點的上限（MAX_FEATURE_VERTICES），沒有寫入任何資料。請先簡化圖形（例如 QGIS 的「簡化」工具）或分成幾個圖形，或請系統管理者調高 MAX_FEATURE_VERTICES。`,

  // Feature properties (the feature API and imports alike: server/layers/schema.ts)
  properties_not_object: () => 'properties 必須是 JSON 物件，例如 {"name": "民族路口"}。',
  property_unknown: (p: { name: string; layer: string; known: string }) =>
    `${p.layer}沒有「${p.name}」這個欄位；可用的欄位：${p.known}。`,
  property_derived: (p: { label: string; name: string }) =>
    `「${p.label}」（${p.name}）由系統依位置或紀錄自動產生，不能直接設定；請刪除這個欄位後再送出。`,
  property_not_writable: (p: { layer: string; label: string; name: string; writable: string }) =>
    `你的角色在${p.layer}只能修改${p.writable}，不能修改「${p.label}」（${p.name}）。`,
  property_required: (p: { label: string; name: string }) => `「${p.label}」（${p.name}）為必填，不能是空值。`,
  properties_missing: (p: { fields: string }) => `缺少必填欄位：${p.fields}。`,
  /** `rule` is one of PROPERTY_RULES' texts. */
  property_invalid: (p: { label: string; name: string; rule: string }) => `「${p.label}」（${p.name}）${p.rule}。`,

  // Features: which layer, which feature, who may write it
  layer_unknown: (p: { layer: string; list: string }) => `沒有「${p.layer}」這個圖層，或你的帳號不能讀取它；可用的圖層列在 GET ${p.list}。`,
  feature_unknown: (p: { layer: string; id: number | string }) => `${p.layer}沒有編號 ${p.id} 的資料（可能已刪除，或不在你能讀取的範圍）。`,
  sign_in_required: (p: { action: string }) => `請先登入（POST /api/login）才能${p.action}。`,
  role_may_not_write: (p: { layer: string; action: string }) => `你的帳號不能${p.action}${p.layer}；需要時請洽分局承辦人。`,
  history_police_only: () => '修改紀錄只提供警察帳號查閱。',
  feature_body_not_object: () => '請求內容必須是 GeoJSON Feature 物件，例如 {"type": "Feature", "geometry": …, "properties": {…}}。',
  feature_body_type: () => '請求內容的 type 必須是 "Feature"（一次只能寫入一筆；多筆請用匯入）。',
  geometry_not_taken: (p: { layer: string }) => `${p.layer}沒有圖形；請送 "geometry": null 或省略 geometry。`,
  geometry_required: (p: { layer: string; kind: string }) => `新增${p.layer}需要${p.kind}圖形（geometry）。`,
  geometry_not_writable: (p: { layer: string; writable: string }) => `你的角色在${p.layer}只能修改${p.writable}，不能移動或改畫圖形。`,
  reference_unknown: (p: { label: string; name: string; target: string; ids: string }) =>
    `「${p.label}」（${p.name}）指向的${p.target}編號 ${p.ids} 不存在、已刪除，或不是你能使用的資料。`,
  outside_precinct_by: (p: { m2: number | null; precinct: string }) =>
    `${p.m2 === null ? '圖形' : `圖形有 ${n(p.m2)} 平方公尺`}超出你的分局（${p.precinct}）轄區；請把圖形畫在轄區內。`,
  outside_precinct: (p: { precinct: string }) => `這筆資料不在你的分局（${p.precinct}）轄區內：你只能寫入轄區內的資料。`,
  outside_area: () => '這筆資料不在你的範圍內：你只能寫入自己範圍內的資料。',
  if_match_invalid: () => 'If-Match 必須是本服務給出的 ETag，例如 "3"（讀取資料時回應標頭中的 ETag）。',
  precondition_required: () => '修改或刪除資料時，請在 If-Match 標頭附上你最後讀到的 ETag（例如 "3"），以免覆蓋別人同時所做的修改。',
  stale_version: (p: { layer: string; id: number; sent: number; current: number }) =>
    `${p.layer}編號 ${p.id} 的資料在你讀取之後已被他人修改（你送出的是第 ${p.sent} 版，目前是第 ${p.current} 版）；請重新載入最新資料，再做一次你的修改。`,
  /** A write to a deleted feature (409), or, with `at`, reading one (410). */
  deleted: (p: { layer: string; id: number; at?: string }) => p.at === undefined
    ? `${p.layer}編號 ${p.id} 的資料已刪除：請先還原（POST …/features/${p.id}/restore）再修改。`
    : `${p.layer}編號 ${p.id} 的資料已於 ${p.at} 刪除；修改紀錄在 …/features/${p.id}/history，需要時可用 POST …/features/${p.id}/restore 還原。`,
  not_deleted: (p: { layer: string; id: number }) => `${p.layer}編號 ${p.id} 的資料沒有被刪除，不需要還原。`,

  // Writes
  duplicate_code: (p: { unit: string; layer: string; code: string; id?: number; name?: string }) =>
    `代碼「${p.code}」已由${p.unit}${p.name ? `「${p.name}」` : ''}${p.id === undefined ? '' : `（編號 ${p.id}）`}使用，同一代碼只能屬於一個${p.unit}，沒有寫入任何資料。請改用其他代碼${p.id === undefined ? '' : `，或修改該${p.unit}（PATCH /api/layers/${p.layer}/features/${p.id}）`}。`,

  // Dependencies (503 with Retry-After)
  database_unavailable: (p: { seconds: number }) => `資料庫暫時無法連線，請於 ${p.seconds} 秒後再試；若持續發生，請通知系統管理者。`,
  database_busy: (p: { seconds: number }) =>
    `資料庫忙碌，這項要求未能在時限內完成，請於 ${p.seconds} 秒後再試；若一再發生，請縮小查詢的範圍或條件。`,

  // Signing in
  invalid_credentials: () => '帳號或密碼錯誤。',
  login_body: () => '登入請以 JSON 送出帳號與密碼，例如 {"username": "你的帳號", "password": "你的密碼"}。',
  invalid_session: () => '登入已過期或權杖無效：請重新登入（POST /api/login）。',
  too_many_attempts: (p: { seconds: number }) => `此帳號從你的位置登入失敗太多次，請於 ${p.seconds} 秒後再試；忘記密碼請洽系統管理員。`,
  too_many_attempts_here: (p: { seconds: number }) => `你的位置登入失敗太多次，請於 ${p.seconds} 秒後再試。`,
  account_slowed: (p: { seconds: number; spacing: number }) => `此帳號近期有多次登入失敗，為保護帳號，每 ${p.spacing} 秒只受理一次登入，請於 ${p.seconds} 秒後再試。`,

  // Place search (/api/search): refusals, and the notes of results that stand in for what was asked
  search_query_missing: () => '請輸入要找的村里、地址、派出所名稱或警勤區代碼（參數 q）。',
  search_nearest_number: (p: { asked: string; found: string }) => `地址庫沒有「${p.asked}」，標示同一條路上最接近的門牌「${p.found}」。`,
  search_road_extent: (p: { asked: string; road: string; count: number }) =>
    `地址庫沒有「${p.asked}」，標示「${p.road}」沿線 ${p.count} 筆門牌的範圍。`,
  search_village_fallback: (p: { asked: string; village: string }) => `地址庫沒有「${p.asked}」，標示地址所在的村里「${p.village}」。`,
  search_town_fallback: (p: { asked: string; town: string }) => `地址庫沒有「${p.asked}」，標示地址所在的「${p.town}」。`,

} satisfies Record<string, (p: never) => string>;

/** How a property's value breaks its declared type: the end of property_invalid's sentence. */
export const PROPERTY_RULES = {
  not_text: () => '必須是文字',
  text_too_long: (p: { max: number }) => `最多 ${n(p.max)} 個字`,
  not_a_choice: (p: { choices: readonly { value: string; label: string }[] }) =>
    `必須是下列其中之一：${p.choices.map((c) => `${c.value}（${c.label}）`).join('、')}`,
  not_integer: () => '必須是整數',
  integer_range: (p: { min: number; max: number }) => `必須是 ${p.min} 到 ${p.max} 之間的整數`,
  not_number: () => '必須是數字',
  number_range: (p: { min: number; max: number; minExclusive?: boolean; maxExclusive?: boolean }) =>
    `必須${p.minExclusive ? '大於' : '不小於'} ${p.min}、${p.maxExclusive ? '小於' : '不超過'} ${p.max}`,
  not_boolean: () => '必須是 true 或 false',
  not_date: () => '必須是日期，寫成 YYYY-MM-DD，例如 2026-03-01',
  not_time: () => '必須是 ISO 8601 的時間，例如 2026-03-01T21:30:00+08:00（不寫時區即為臺灣時間）',
  in_future: () => '不能是未來的時間',
  not_reference: () => '必須是既有資料的編號（正整數）',
  not_ids: (p: { max: number }) => `必須是既有資料編號的清單，最多 ${n(p.max)} 個，例如 [12, 15]`,
  not_indicators: () => '必須是 JSON 物件：每個指標類型對應一串跡象，例如 {"drug_lab": ["chemical_smell"]}',
  not_indicator_type: (p: { choices: readonly { value: string; label: string }[] }) =>
    `的指標類型必須是下列其中之一：${p.choices.map((c) => `${c.value}（${c.label}）`).join('、')}`,
  not_indicator_sign: (p: { choices: readonly { value: string; label: string }[] }) =>
    `的跡象必須是下列其中之一：${p.choices.map((c) => `${c.value}（${c.label}）`).join('、')}`,
} satisfies Record<string, (p: never) => string>;

interface PositionParams { lon: number; lat: number; what?: string }
const where = (p: PositionParams) => `${p.what ?? '坐標'} (${p.lon}, ${p.lat}) `;

/** GEOS's reasons (ST_IsValidReason) in Chinese; a reason not listed is shown as it is. */
const GEOS_REASONS: Record<string, string> = {
  'Self-intersection': '邊線自相交',
  'Ring Self-intersection': '環的邊線自相交',
  'Hole lies outside shell': '內環（洞）位於外環之外',
  'Holes are nested': '內環（洞）互相包含',
  'Interior is disconnected': '內部被內環分割成不相連的部分',
  'Nested shells': '多邊形互相包含',
  'Duplicate Rings': '有重複的環',
  'Too few points in geometry component': '圖形的點數太少',
  'Too few distinct points in geometry component': '圖形的相異點數太少',
  'Invalid Coordinate': '坐標無效',
  'Ring is not closed': '環沒有閉合',
};

/** What a layer's geometry kind takes, as geometry_type says it. */
const GEOMETRY_KINDS = { Point: '點（Point）', MultiPolygon: '面（Polygon 或 MultiPolygon）' } as const;

/** The levels of police units, as roll-ups name them (server/rollups/scope.ts). */
export type UnitLevel = 'bureau' | 'precinct' | 'station' | 'beat';
const UNIT_LEVELS: Record<UnitLevel, string> = { bureau: '警察局', precinct: '分局', station: '派出所', beat: '警勤區' };
const levelChoices = () => Object.entries(UNIT_LEVELS).map(([value, label]) => `${value}（${label}）`).join('、');

/** How an analysis parameter breaks its rule: the end of analysis_parameter_invalid's sentence. */
export const PARAMETER_RULES = {
  number_range: (p: { min: number; max: number; unit?: string }) => `必須是 ${p.min} 到 ${p.max} 之間的數字${p.unit ? `（單位：${p.unit}）` : ''}`,
  integer_range: (p: { min: number; max: number }) => `必須是 ${p.min} 到 ${p.max} 之間的整數`,
  not_boolean: () => '必須是 true 或 false',
  list: (p: { max: number }) => `必須是以逗號分隔的清單（或 JSON 陣列），有 1 到 ${n(p.max)} 個值`,
  not_a_choice: (p: { values: readonly string[] }) => `必須是下列其中之一：${p.values.join('、')}`,
  not_text: () => '必須是文字',
  required: () => '為必填，請提供這個參數',
  longitude: () => '必須是經度（度），例如 121.3',
  latitude: () => '必須是緯度（度），例如 24.99',
  azimuth: () => '必須是 0 以上、小於 360 的方位角（度）',
  points: (p: { max: number }) => `必須是 {"lon": 經度, "lat": 緯度, "weight": 權重} 的陣列，最多 ${n(p.max)} 個點`,
  sites: (p: { max: number }) => `必須是 {"lon": 經度, "lat": 緯度} 的陣列（可加 azimuths、fov、range_m、name），最多 ${n(p.max)} 個地點`,
  // What zod's own checks find, where a schema gives no text of its own
  wrong_type: (p: { expected: string }) => `的型別不對：應為${TYPE_NAMES[p.expected] ?? ` ${p.expected}`}`,
  too_small: (p: { min: number | bigint; inclusive: boolean; origin: string }) =>
    p.origin === 'array' ? `至少要有 ${p.min} 個值` : p.origin === 'string' ? `至少要有 ${p.min} 個字` : p.inclusive ? `不能小於 ${p.min}` : `必須大於 ${p.min}`,
  too_big: (p: { max: number | bigint; inclusive: boolean; origin: string }) =>
    p.origin === 'array' ? `最多 ${p.max} 個值` : p.origin === 'string' ? `最多 ${p.max} 個字` : p.inclusive ? `不能大於 ${p.max}` : `必須小於 ${p.max}`,
  invalid: () => '的值不符規定',
} satisfies Record<string, (p: never) => string>;

const TYPE_NAMES: Record<string, string> = {
  number: '數字', string: '文字', boolean: ' true 或 false', array: '陣列（或以逗號分隔的清單）', object: ' JSON 物件',
};

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
