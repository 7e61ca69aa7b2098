import type { AppContext } from '../app/context.js';
import type { LayerInfo } from '../app/registry.js';
import {
  importInfo, importSources, postImport, type ColumnPlan, type ImportInfo, type ImportParams, type ImportReport, type Phase, type SavedSource,
} from '../import/import-api.js';
import { PreviewMap, STATUS } from '../import/preview-map.js';
import { issueLine } from '../import/issue-text.js';
import { RowTable } from '../import/row-table.js';
import { ApiError } from '../lib/api.js';
import { exposeForAutomation } from '../map/map.js';
import { h, replace } from '../lib/dom.js';
import { formatDateTime, formatNumber } from '../lib/format.js';

const PHASES: Record<Phase, string> = { read: '讀取檔案', transform: '坐標轉換', validate: '檢核資料', write: '寫入資料庫', check: '檢查結果' };
const FORMATS: Record<string, string> = {
  csv: 'CSV（逗號、Tab 分隔）', json: 'JSON 陣列', geojson: 'GeoJSON', shapefile: 'Shapefile（zip）', kml: 'KML', kmz: 'KMZ',
};
const ENCODINGS: Record<string, string> = { 'utf-8': 'UTF-8', big5: 'Big5（cp950）' };
/** How the server decided an encoding, a system or a column's target. */
const HOW: Record<string, string> = {
  parameter: '指定', saved: '沿用來源設定', bom: '檔頭 BOM', file: '檔案宣告', detected: '自動偵測', header: '欄名', guessed: '推測',
  mapping: '手動對應', name: '屬性名稱', label: '中文欄名', alias: '常用詞',
};
const SKIP = '__skip__';

const labelled = (label: string, control: HTMLElement, cls = 'field') => h('label', { class: cls }, h('span', { class: 'field-label' }, label), control);
const select = (name: string, auto: string, options: [string, string][]) =>
  h('select', { name }, h('option', { value: '' }, auto), options.map(([v, l]) => h('option', { value: v }, l)));
const bytes = (n: number) => (n >= 1 << 20 ? `${formatNumber(n / (1 << 20), 1)} MB` : `${formatNumber(Math.max(1, Math.round(n / 1024)))} KB`);

/** The layers the caller may import into: whoever may create or update a layer's features. */
const importable = (ctx: AppContext) => ctx.registry.layers.filter((l) => l.writable.includes('create') || l.writable.includes('update'));

/**
 * 匯入資料 (planners, admin): a register file in, through a dry run first — its counts, what was
 * detected, every row's status and reasons, and a map of where the rows fall — then the import
 * itself, all or nothing unless only the valid rows are asked for.
 */
export async function importView(ctx: AppContext, main: HTMLElement): Promise<void> {
  main.classList.add('import-page');
  const layers = importable(ctx);
  let info: ImportInfo | null = null;
  let sources: SavedSource[] = [];
  let file: File | null = null;
  /** The column plan of the last answer, and the targets the person chose over it. */
  let plan: ColumnPlan[] = [];
  const overrides = new Map<string, string | null>();
  /** What the last clean dry run was of: the import button needs the same file and options. */
  let triedKey: string | null = null;
  let running = false;

  const layerSelect = h('select', { name: 'layer' }, layers.map((l: LayerInfo) => h('option', { value: l.id }, l.title)));
  const fileInput = h('input', { type: 'file', name: 'file', accept: '.csv,.txt,.tsv,.json,.geojson,.zip,.kml,.kmz' });
  const fileName = h('span', { class: 'file-name' }, '尚未選擇檔案');
  const drop = h('label', { class: 'drop-zone' }, fileInput,
    h('span', { class: 'drop-text' }, '拖曳檔案到這裡，或', h('span', { class: 'button secondary' }, '選擇檔案')), fileName);
  const sourceList = h('datalist', { id: 'import-sources' });
  const sourceInput = h('input', { type: 'text', name: 'source', list: 'import-sources', maxlength: 100, placeholder: '例：勤區查察系統', autocomplete: 'off' });
  const savedBox = h('div', { class: 'saved-source', hidden: true });
  const encodingSelect = select('encoding', '自動偵測', []);
  const crsSelect = select('crs', '自動判斷', []);
  const formatSelect = select('format', '依檔案判斷', []);
  const validOnly = h('input', { type: 'checkbox', name: 'validOnly' });
  const importDuplicates = h('input', { type: 'checkbox', name: 'duplicates' });
  const duplicatesText = h('span', {});
  // Shown once a trial finds rows that likely repeat a feature: they are skipped unless ticked.
  const duplicatesBox = h('label', { class: 'valid-only duplicates', hidden: true }, importDuplicates, duplicatesText);
  const resetDuplicates = () => {
    importDuplicates.checked = false;
    duplicatesBox.hidden = true;
  };
  const mappingNote = h('p', { class: 'warning', hidden: true }, '已變更欄位對應，請重新試算。');
  // Values for fields the file has no column for: chosen by field, listed, removable.
  const defaults = new Map<string, string>();
  const defaultTarget = h('select', { name: 'defaultTarget', 'aria-label': '預設值的欄位' });
  const defaultValue = h('input', { type: 'text', name: 'defaultValue', maxlength: 200, 'aria-label': '預設值', placeholder: '例：police' });
  const defaultList = h('ul', { class: 'plain default-list' });
  const showDefaults = () => {
    replace(defaultList, [...defaults].map(([t, v]) => h('li', { dataset: { target: t } }, `${targetLabel(t)}（${t}）＝「${v}」 `,
      h('button', { type: 'button', class: 'small', onclick: () => { defaults.delete(t); showDefaults(); refresh(); } }, '移除'))));
  };
  const addDefault = () => {
    const v = defaultValue.value.trim();
    if (!defaultTarget.value || !v) return;
    defaults.set(defaultTarget.value, v);
    defaultValue.value = '';
    showDefaults();
    refresh();
  };
  const replaceAll = h('input', { type: 'checkbox', name: 'replace' });
  const tolerance = h('input', { type: 'number', name: 'tolerance', min: '0', step: '1', inputmode: 'numeric', placeholder: '10' });
  const toleranceField = h('label', { class: 'field', hidden: true }, h('span', {}, '容許的空隙與重疊（平方公尺；未填沿用來源上次的設定或 10）'), tolerance);
  const mappingBox = h('div', { class: 'mapping-editor' }, h('p', { class: 'hint' }, '試算後，這裡列出檔案每一欄對應到的欄位，可逐欄更改後重新試算。'));
  const advanced = h('details', { class: 'advanced' }, h('summary', {}, '進階選項：編碼、坐標系統、格式、欄位對應、預設值、取代、容許誤差'),
    h('div', { class: 'option-grid' }, labelled('文字編碼', encodingSelect), labelled('坐標系統', crsSelect), labelled('檔案格式', formatSelect)),
    mappingBox,
    h('div', { class: 'defaults-editor' }, h('h3', {}, '預設值（檔案沒有這一欄，或這一欄空白時）'),
      h('div', { class: 'actions start' }, defaultTarget, defaultValue, h('button', { type: 'button', class: 'small', dataset: { action: 'add-default' }, onclick: addDefault }, '加入')),
      defaultList),
    h('label', { class: 'valid-only' }, replaceAll, h('span', {}, '以這份檔案取代整個來源（來源中這份檔案沒有的資料會刪除，刪除留有紀錄；行政單位圖層取代整個圖層）')),
    toleranceField);
  const tryButton = h('button', { type: 'button', class: 'secondary', dataset: { action: 'dry-run' } }, '試算（不寫入）');
  const importButton = h('button', { type: 'button', class: 'primary', dataset: { action: 'import' }, disabled: true }, '匯入');
  const bar = h('progress', {});
  const barText = h('span', {});
  const progress = h('div', { class: 'import-progress', role: 'status', hidden: true }, bar, barText);
  const outcome = h('div', { class: 'import-outcome', 'aria-live': 'polite' });
  const summary = h('section', { class: 'import-summary', hidden: true });
  const table = new RowTable((row) => preview?.has(row) ?? false, (row) => {
    preview?.flyTo(row);
    // On a phone the map is above the table: bring it into view.
    if (mapBox.getBoundingClientRect().bottom < 0) mapBox.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
  table.element.hidden = true;
  const mapElement = h('div', { class: 'map', id: 'map' });
  const mapBox = h('div', { class: 'import-map' }, mapElement,
    h('ul', { class: 'legend import-legend' }, Object.values(STATUS).map((s) => h('li', {}, h('span', { class: 'swatch fill', style: { background: s.colour } }), s.label))));

  const form = h('section', { class: 'import-form' },
    h('h1', {}, '匯入資料'),
    h('p', { class: 'hint' }, '上傳勤區查察、監視器等清冊（CSV、JSON、GeoJSON、Shapefile zip、KML/KMZ）。先試算檢查每一列，確認後再匯入；試算不會寫入任何資料。'),
    labelled('圖層', layerSelect), drop,
    labelled('資料來源', h('span', { class: 'source-field' }, sourceInput, sourceList), 'field'),
    h('p', { class: 'legend-note' }, '清冊的名稱：有「編號」欄時必填，再次匯入同一來源會更新同一筆資料，並沿用上次的編碼、坐標系統與欄位對應。'),
    savedBox, advanced,
    h('label', { class: 'valid-only' }, validOnly, h('span', {}, '只匯入正確的列（略過有錯誤的列；未勾選時任何一列有錯就整份不匯入）')),
    duplicatesBox,
    h('div', { class: 'actions start' }, tryButton, importButton),
    progress, outcome);
  main.append(h('div', { class: 'import-grid' }, form, summary, mapBox, table.element));

  // ---- the options as the server takes them, and whether they are what was tried
  /** The columns mapped by hand: those of the last answer's plan and those changed since. */
  const mapping = (): Record<string, string | null> | undefined => {
    if (overrides.size === 0 && !plan.some((c) => c.how === 'mapping')) return undefined;
    // A mapping replaces the source's saved one, so the columns that came from it are sent too.
    const kept = plan.filter((c) => c.how === 'saved' || c.how === 'mapping').map((c) => [c.column, c.target] as const);
    const all = new Map<string, string | null>([...kept, ...overrides]);
    return Object.fromEntries([...all].sort(([a], [b]) => a.localeCompare(b)));
  };
  const params = (dryRun: boolean): ImportParams => ({
    dryRun, validOnly: validOnly.checked, ...(importDuplicates.checked ? { duplicates: 'import' as const } : {}), source: sourceInput.value.trim(), encoding: encodingSelect.value, crs: crsSelect.value,
    format: formatSelect.value, mapping: mapping(),
    ...(defaults.size ? { defaults: Object.fromEntries([...defaults].sort(([a], [b]) => a.localeCompare(b))) } : {}),
    ...(replaceAll.checked ? { replace: true } : {}),
    ...(info?.units && tolerance.value !== '' ? { tolerance: Number(tolerance.value) } : {}),
  });
  const keyOf = () => (file ? JSON.stringify([layerSelect.value, file.name, file.size, file.lastModified, params(false)]) : null);
  const refresh = () => {
    tryButton.disabled = running || !file;
    importButton.disabled = running || !file || triedKey === null || triedKey !== keyOf();
  };

  // ---- the layer's settings and saved sources
  const loadLayer = async () => {
    const layer = layerSelect.value;
    resetDuplicates();
    [info, sources] = await Promise.all([importInfo(layer), importSources(layer).catch(() => [])]);
    replace(encodingSelect, h('option', { value: '' }, '自動偵測'), info.encodings.map((e) => h('option', { value: e }, ENCODINGS[e] ?? e)));
    replace(crsSelect, h('option', { value: '' }, '自動判斷'), info.crs.map((c) => h('option', { value: c.crs }, `${c.name}（${c.crs}）`)));
    replace(formatSelect, h('option', { value: '' }, '依檔案判斷'), info.formats.map((f) => h('option', { value: f }, FORMATS[f] ?? f)));
    replace(defaultTarget, info.targets.filter((t) => !['lon', 'lat', 'x', 'y', 'wkt', 'external_id'].includes(t.target))
      .map((t) => h('option', { value: t.target }, `${t.label}${t.required ? '＊' : ''}（${t.target}）`)));
    defaults.clear();
    showDefaults();
    replaceAll.checked = false;
    tolerance.value = '';
    tolerance.max = String(info.defaults.maxTolerance);
    toleranceField.hidden = !info.units;
    showSources();
    plan = [];
    overrides.clear();
    renderMapping();
    triedKey = null;
    refresh();
  };
  const showSources = () => {
    replace(sourceList, sources.map((s) => h('option', { value: s.source }, `${s.source}（${formatNumber(s.features)} 筆）`)));
    showSaved();
  };
  const showSaved = () => {
    const s = sources.find((x) => x.source === sourceInput.value.trim());
    savedBox.hidden = !s;
    if (!s) return;
    const mapped = Object.entries(s.mapping).map(([col, t]) => `${col} → ${t === null ? '不匯入' : targetLabel(t)}`);
    replace(savedBox, h('h3', {}, `已儲存的來源設定：${s.source}`),
      h('ul', { class: 'plain' },
        h('li', {}, `文字編碼：${s.encoding ? ENCODINGS[s.encoding] ?? s.encoding : '自動偵測'}`),
        h('li', {}, `坐標系統：${s.crs ? info?.crs.find((c) => c.crs === s.crs)?.name ?? s.crs : '自動判斷'}`),
        h('li', {}, `欄位對應：${mapped.length ? mapped.join('、') : '自動'}`),
        // Features are counted by the source's own ids: a register without them has none to count.
        h('li', {}, `${s.features ? `依來源編號對應 ${formatNumber(s.features)} 筆；` : ''}上次由 ${s.updatedBy ?? '—'} 於 ${formatDateTime(s.updatedAt)} 匯入`)),
      h('p', { class: 'legend-note' }, '未另外指定的選項沿用這些設定。'));
  };
  /** A target's label without its explanation in brackets: 「X 坐標」. */
  const targetLabel = (t: string) => (info?.targets.find((x) => x.target === t)?.label ?? t).split('（')[0]!;

  // ---- the column mapping editor, from the last answer's plan
  const renderMapping = () => {
    if (!plan.length || !info) {
      replace(mappingBox, h('p', { class: 'hint' }, '試算後，這裡列出檔案每一欄對應到的欄位，可逐欄更改後重新試算。'));
      return;
    }
    const targets = info.targets;
    replace(mappingBox,
      h('table', { class: 'compact mapping-table' },
        h('thead', {}, h('tr', {}, h('th', {}, '檔案欄位'), h('th', {}, '對應到'), h('th', {}, '依據'))),
        h('tbody', {}, plan.map((c) => {
          const chosen = overrides.has(c.column) ? overrides.get(c.column)! : c.target;
          const sel = h('select', {
            dataset: { column: c.column }, 'aria-label': `「${c.column}」對應到`,
            onchange: () => {
              const v = sel.value === SKIP ? null : sel.value;
              if (v === c.target && !overrides.has(c.column)) return;
              overrides.set(c.column, v);
              mappingNote.hidden = false;
              refresh();
            },
          },
          h('option', { value: SKIP, selected: chosen === null }, '（不匯入）'),
          targets.map((t) => h('option', { value: t.target, selected: t.target === chosen }, `${t.label}${t.required ? '＊' : ''}（${t.target}）`)));
          return h('tr', {}, h('td', {}, c.column), h('td', {}, sel),
            // The server's note is written for the API (how to send a mapping): a tooltip here.
            h('td', { class: 'sub', title: c.note }, overrides.has(c.column) ? '手動對應（待試算）' : c.how ? HOW[c.how] ?? c.how : '不匯入'));
        }))),
      mappingNote,
      h('div', { class: 'actions start' },
        h('button', { type: 'button', class: 'small', onclick: () => { overrides.clear(); renderMapping(); refresh(); } }, '恢復自動對應')));
  };

  // ---- running an import: progress, then the report or why not
  const run = async (dryRun: boolean) => {
    if (!file || !info) return;
    if (file.size > info.maxBytes) {
      replace(outcome, h('p', { class: 'form-error' }, `檔案 ${bytes(file.size)}，超過匯入上限 ${bytes(info.maxBytes)}。請分割檔案後再匯入。`));
      return;
    }
    const key = keyOf();
    running = true;
    refresh();
    replace(outcome);
    progress.hidden = false;
    bar.removeAttribute('value');
    barText.textContent = '上傳中…';
    try {
      const { status, report } = await postImport(layerSelect.value, file, params(dryRun), (phase, done, total) => {
        bar.max = Math.max(total, 1);
        bar.value = done;
        barText.textContent = `${PHASES[phase] ?? phase}：${formatNumber(done)} / ${formatNumber(total)}`;
      });
      plan = report.columns;
      overrides.clear();
      mappingNote.hidden = true;
      renderMapping();
      showReport(report);
      // 匯入 waits for a trial that found something to write: rows, or deletions of a replacement.
      triedKey = dryRun && writesSomething(report) ? key : null;
      replace(outcome, outcomeOf(report, status));
      if (!dryRun && report.committed) {
        sources = await importSources(layerSelect.value).catch(() => sources);
        showSources();
      }
    } catch (err) {
      triedKey = null;
      replace(outcome, h('p', { class: 'form-error' }, refusal(err)));
      const columns = err instanceof ApiError ? (err.details?.columns as ColumnPlan[] | undefined) : undefined;
      if (columns) {
        plan = columns;
        renderMapping();
        advanced.open = true;
      }
    } finally {
      running = false;
      progress.hidden = true;
      refresh();
    }
  };

  const showReport = (r: ImportReport) => {
    const c = r.counts;
    // The choice is offered for the rows a trial leaves out; ticked, they are written instead.
    const likely = r.duplicates === 'import'
      ? r.rows.filter((row) => row.warnings?.some((w) => w.code === 'possible_duplicate')).length : c.skip;
    duplicatesBox.hidden = likely === 0 && !importDuplicates.checked;
    duplicatesText.textContent = `仍匯入 ${formatNumber(likely)} 列可能與既有資料重複的列（預設略過；請先在下表確認不是同一筆）`;
    const tile = (label: string, n: number, cls = '') => h('div', { class: `count ${cls}` }, h('b', {}, formatNumber(n)), h('span', {}, label));
    const enc = r.file.encoding;
    const crs = r.file.crs;
    const unmatched = r.columns.filter((col) => col.target === null).map((col) => col.column);
    replace(summary,
      h('h2', {}, r.dryRun ? '試算結果（未寫入）' : r.committed ? '匯入結果' : '未匯入'),
      h('div', { class: 'counts' },
        tile('總列數', c.rows), tile('新增', c.create), tile('更新', c.update), tile('不變', c.unchanged),
        c.skip ? tile('略過（可能重複）', c.skip, 'warning') : null,
        tile('警告', c.warning, c.warning ? 'warning' : ''), tile('錯誤', c.error, c.error ? 'error' : ''),
        c.delete ? tile('刪除', c.delete) : null),
      h('ul', { class: 'plain detected' },
        h('li', {}, `檔案：${r.file.name ?? '—'}（${FORMATS[r.file.format] ?? r.file.format}）`),
        enc ? h('li', {}, `文字編碼：${ENCODINGS[enc.name] ?? enc.name}（${HOW[enc.how] ?? enc.how}）`) : null,
        crs ? h('li', {}, `坐標系統：${crs.name}（${crs.crs}，${HOW[crs.how] ?? crs.how}）`, crs.note ? h('div', { class: 'sub' }, crs.note) : null) : null,
        crs?.swapped ? h('li', { class: 'warning' }, '檔案的 X、Y（或經緯度）欄位前後對調，已對調後讀取。') : null,
        r.source ? h('li', {}, `資料來源：${r.source}`) : null,
        unmatched.length ? h('li', {}, `未匯入的欄位：${unmatched.join('、')} `,
          h('button', { type: 'button', class: 'small', dataset: { action: 'edit-mapping' }, onclick: () => { advanced.open = true; mappingBox.scrollIntoView({ block: 'center' }); } }, '設定欄位對應')) : null),
      r.warnings.length || r.errors.length ? h('ul', { class: 'file-issues' },
        r.errors.map((e) => h('li', { class: 'form-error' }, issueLine(e, ctx.registry.get(r.layer)))), r.warnings.map((w) => h('li', { class: 'warning' }, w))) : null,
      r.preview.truncated ? h('p', { class: 'legend-note' }, `地圖只顯示前 ${formatNumber(r.preview.features.length)} 筆。`) : null);
    summary.hidden = false;
    table.element.hidden = false;
    // The server types the preview's features loosely (object); they are GeoJSON features.
    const features = r.preview.features as GeoJSON.Feature[];
    // The preview first: the table marks the rows it holds.
    preview?.show({ type: 'FeatureCollection', features });
    const layer = ctx.registry.get(r.layer);
    const labelOf = layer?.label ?? 'name';
    const labels = new Map(features.map((f) => [Number(f.properties?.import_row), String(f.properties?.[labelOf] ?? '')]));
    table.show(r.rows, labels, layer, !r.dryRun && !r.committed ? 'error' : 'all');
  };

  // ---- wiring
  const choose = (f: File | undefined) => {
    if (!f) return;
    file = f;
    // Another file has other columns: its mapping starts again from its own headers; its
    // duplicates are its own to decide on.
    plan = [];
    resetDuplicates();
    overrides.clear();
    renderMapping();
    fileName.textContent = `${f.name}（${bytes(f.size)}）`;
    drop.classList.add('chosen');
    refresh();
  };
  fileInput.addEventListener('change', () => choose(fileInput.files?.[0]));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('dragging'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('dragging');
    choose(e.dataTransfer?.files[0]);
  });
  // A file dropped beside the zone is not opened by the browser in place of the page.
  for (const type of ['dragover', 'drop']) main.addEventListener(type, (e) => e.preventDefault());
  layerSelect.addEventListener('change', () => void loadLayer());
  sourceInput.addEventListener('input', () => { showSaved(); refresh(); });
  for (const el of [encodingSelect, crsSelect, formatSelect, validOnly, importDuplicates, replaceAll, tolerance]) el.addEventListener('change', refresh);
  tryButton.addEventListener('click', () => void run(true));
  importButton.addEventListener('click', () => void run(false));

  if (!layers.length) {
    replace(main, h('p', { class: 'notice' }, '你的帳號沒有可匯入的圖層。'));
    return;
  }
  const preselect = new URLSearchParams(location.search).get('layer');
  if (preselect && layers.some((l) => l.id === preselect)) layerSelect.value = preselect;
  const [preview] = await Promise.all([PreviewMap.create(ctx, mapElement), loadLayer()]);
  exposeForAutomation(preview.map);
  refresh();
}

/**
 * Whether importing what a trial saw could write anything: rows, or a replacement's deletions,
 * and no refusal of the file as a whole. (Rows with errors and good rows besides leave 匯入 on:
 * pressed, it says the all-or-nothing rule, and 「只匯入正確的列」 is offered.)
 */
function writesSomething(r: ImportReport): boolean {
  const c = r.counts;
  return (c.ok + c.warning - c.skip > 0 || c.delete > 0) && r.errors.length === 0;
}

/** What a finished import says to the person, in their words. */
function outcomeOf(r: ImportReport, status: number): HTMLElement {
  const c = r.counts;
  // Rows that pass and are not left out as likely duplicates.
  const good = c.ok + c.warning - c.skip;
  if (r.dryRun) {
    return h('div', { class: c.error ? 'warning' : 'notice' },
      h('p', {}, `試算完成，未寫入任何資料：${formatNumber(good)} 列可匯入（新增 ${formatNumber(c.create)}、更新 ${formatNumber(c.update)}、不變 ${formatNumber(c.unchanged)}）${c.error ? `，${formatNumber(c.error)} 列有錯誤` : ''}。`),
      skippedLine(c.skip, true),
      c.error ? h('p', {}, r.validOnly ? `匯入時會略過這 ${formatNumber(c.error)} 列。` : '未勾選「只匯入正確的列」時，有錯誤的列會使整份檔案不匯入。') : null,
      writesSomething(r) ? null : h('p', { class: 'nothing-to-import' }, '這樣匯入不會寫入任何資料，「匯入」按鈕已停用：請修正檔案、欄位對應或選項後重新試算。'));
  }
  if (!r.committed || status === 422) {
    return h('div', { class: 'form-error refusal' },
      h('p', {}, r.errors.length ? '整份檔案未匯入：' + r.errors.map((e) => issueLine(e)).join('；')
        : `整份檔案未匯入：${formatNumber(c.error)} 列有錯誤（見下表）。沒有寫入任何資料。`),
      h('p', {}, '請修正檔案後重新試算，或勾選「只匯入正確的列」略過這些列。'));
  }
  return h('div', { class: 'notice' },
    h('p', {}, `已匯入：新增 ${formatNumber(c.create)}、更新 ${formatNumber(c.update)}、不變 ${formatNumber(c.unchanged)}${c.delete ? `、刪除 ${formatNumber(c.delete)}` : ''}。`),
    c.error ? h('p', {}, `略過 ${formatNumber(c.error)} 列有錯誤的列。`) : null,
    skippedLine(c.skip, false),
    h('p', {}, h('a', { href: '/', class: 'button secondary' }, '到電子地圖查看')));
}

/** The rows left out as likely duplicates, and how to import them after all. */
const skippedLine = (n: number, dryRun: boolean) => (!n ? null : h('p', {}, dryRun
  ? `匯入時會略過 ${formatNumber(n)} 列可能與既有資料重複的列（見下表「略過（可能重複）」）；確定不是同一筆時，勾選「仍匯入…」後重新試算。`
  : `已略過 ${formatNumber(n)} 列可能與既有資料重複的列（見下表）；確定不是同一筆時，把這些列另存一個檔案，勾選「仍匯入…」後匯入。`));

/** Why the server would not take a file, in a sentence (its own message after ours). */
function refusal(err: unknown): string {
  if (!(err instanceof ApiError)) return `無法完成：${err instanceof Error ? err.message : String(err)}`;
  const what: Record<string, string> = {
    wrong_encoding: '文字編碼不符', unreadable_file: '無法讀取檔案', missing_columns: '缺少必要欄位（可在進階選項設定欄位對應）',
    file_too_large: '檔案過大', cut_off: '連線中斷',
  };
  const lead = what[err.code] ?? (err.status === 403 || err.status === 401 ? '沒有匯入此圖層的權限' : '無法匯入');
  return `${lead}：${err.message}`;
}
