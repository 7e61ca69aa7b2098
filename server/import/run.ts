import type { Principal } from '../auth/principal.js';
import { actAs, type Db, type Queryable } from '../db/db.js';
import { instanceId } from '../db/instance.js';
import { featureInput, NEW_VERSION, requireWrite, WRITE_OPS } from '../features/checks.js';
import { featureJson } from '../features/sql.js';
import { message, refusal } from '../http/messages.js';
import { rowsWhere, writeAccess } from '../layers/access.js';
import { property } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { sridNamed, type Srid } from './crs.js';
import { ImportAborted } from './aborted.js';
import { encodingNamed } from './encoding.js';
import type { FileReader } from './file-reader.js';
import { planColumns, targetsOf, type ColumnPlan } from './headers.js';
import { issueOf, rowIssue, type RowIssue } from './issues.js';
import type { ImportLimits } from './limits.js';
import type { ImportOptions } from './options.js';
import { placeCandidates, type CrsChoice } from './positions.js';
import { summary, type Counts, type ImportReport, type RowReport } from './report.js';
import { buildCandidates, positionColumns, readDefaults, type Candidate } from './rows.js';
import { checkWktShapes } from './table-limits.js';
import { leaveOut, likelyDuplicates, stageRows, type LikelyDuplicate, writeRows, type Ready, type Written } from './apply.js';
import { addressFromParts, checkAddresses, composeAddresses, matchAddresses } from './addresses.js';
import { isUnitLayer, matchTargets, rowKeys, type Matched } from './targets.js';
import { boundaryIssues, DEFAULT_TOLERANCE_M2, missingParents, rememberShapes, rememberUnits, unitsReport } from './units.js';

/**
 * One import, from bytes to report. Reading, mapping and transforming happen before the
 * transaction; everything that touches the layer happens in one transaction, which a dry run,
 * a refused file, a failed check or a client that goes away rolls back whole: nothing is ever
 * half-imported. A commit leaves the same history rows, by the same user, as edits through the
 * feature API, plus one audit row for the import.
 */

export interface Upload {
  bytes: Uint8Array;
  filename?: string;
}

export type Phase = 'read' | 'transform' | 'validate' | 'write' | 'check';
export type OnProgress = (phase: Phase, done: number, total: number) => void;
/** Reports progress between batches; awaiting it also lets the server notice a client that left. */
type Step = (phase: Phase, done: number, total: number) => Promise<void>;

/** Thrown out of the transaction to roll a rehearsal (dry run or refusal) back, report in hand. */
class RolledBack extends Error {
  constructor(readonly report: ImportReport) {
    super('rolled back');
  }
}

interface SavedSource { mapping: Record<string, string | null>; encoding: string | null; crs: string | null; tolerance_m2: number | null }

async function savedSource(db: Queryable, layer: LayerDef, source: string | undefined): Promise<SavedSource | undefined> {
  if (!source) return undefined;
  const { rows } = await db.query<SavedSource>('SELECT mapping, encoding, crs, tolerance_m2 FROM import_sources WHERE layer_table = $1 AND source = $2', [layer.table, source]);
  return rows[0];
}

/** The file as a whole must be importable before any row is looked at. */
function checkFile(layer: LayerDef, plan: readonly ColumnPlan[], geometries: boolean, opts: ImportOptions, defaults: Record<string, unknown>): void {
  const mapped = new Set(plan.map((c) => c.target).filter((t): t is string => t !== null));
  const columns = plan.map((c) => c.column);
  const details = () => ({ columns: plan, targets: targetsOf(layer) });
  if (mapped.has('external_id') && !opts.source && !isUnitLayer(layer)) {
    throw refusal(400, 'import_source_required', { column: plan.find((c) => c.target === 'external_id')!.column }, { field: 'source', details: details() });
  }
  if (opts.replace && !opts.source && !isUnitLayer(layer)) {
    throw refusal(400, 'import_replace_needs_source', undefined, { field: 'source' });
  }
  if (isUnitLayer(layer) && opts.match !== 'auto') {
    throw refusal(400, 'import_match_units', { layer: layer.title }, { field: 'match' });
  }
  if (opts.match === 'id' && !mapped.has('id')) {
    throw refusal(400, 'import_match_id_column', undefined, { field: 'match', details: details() });
  }
  if (opts.match === 'external_id' && (!mapped.has('external_id') || !opts.source)) {
    throw refusal(400, 'import_match_external_id', undefined, { field: 'match', details: details() });
  }
  const matches = (mapped.has('id') && opts.match !== 'none') || (mapped.has('external_id') && opts.match !== 'none') || (isUnitLayer(layer) && mapped.has('code'));
  if (matches) return;
  // A camera's direction may be in its name (…路口往北), a 門牌's address in its parts (村里, 街路段, 號…);
  // rows without one are refused one by one.
  const fromOthers = (name: string) => (name === 'azimuth' && mapped.has('name')) || addressFromParts(layer, name, mapped);
  const missing = layer.properties.filter((p) => p.required && !mapped.has(p.name) && defaults[p.name] === undefined && !fromOthers(p.name));
  if (missing.length) {
    throw refusal(400, 'missing_columns', { fields: missing.map((p) => `「${p.label}」（${p.name}）`).join('、'), first: missing[0]!.name, columns },
      { field: 'mapping', details: details() });
  }
  const pc = positionColumns(plan);
  if (layer.geometry && !geometries && !pc.wkt && !pc.x && !pc.lon) {
    throw refusal(400, 'missing_columns', { coordinates: true, columns }, { field: 'mapping', details: details() });
  }
}

/** Validates each matched candidate as the feature API validates a create or a patch. */
async function validate(layer: LayerDef, p: Principal, candidates: Candidate[], matched: Matched[], geometries: (object | undefined)[],
  step: (done: number) => Promise<void>): Promise<Ready[]> {
  const rules = { create: writeAccess(layer, p, 'create'), update: writeAccess(layer, p, 'update') };
  const ready: Ready[] = [];
  for (const [i, c] of candidates.entries()) {
    if (i % 2000 === 0) await step(i);
    const m = matched[i]!;
    const unplaced = m.action === 'create' && layer.geometry && !geometries[i] && !c.errors.some((e) => e.field?.startsWith('geometry'));
    if (unplaced) c.errors.push(rowIssue('no_position', undefined, { field: 'geometry' }));
    if (c.errors.length) continue;
    const rule = rules[m.action];
    if (!rule) {
      c.errors.push({ code: 'role_may_not_write', message: message('role_may_not_write', { layer: layer.title, action: WRITE_OPS[m.action] }) });
      continue;
    }
    let properties = c.properties;
    if (m.action === 'create') {
      properties = { ...c.fills.values, ...c.properties };
      c.warnings.push(...c.fills.warnings.filter((w) => c.properties[w.field!.slice('properties.'.length)] === undefined));
    }
    try {
      const body = { type: 'Feature', properties, geometry: geometries[i] ?? null };
      const { values, geometry } = featureInput(layer, body, m.action === 'create' ? 'create' : 'patch', rule.fields);
      ready.push({ index: i, row: c.row, action: m.action, ...(m.target ? { target: m.target } : {}), values, ...(geometry ? { geometry } : {}), rule });
    } catch (err) {
      c.errors.push(issueOf(err));
    }
  }
  await step(candidates.length);
  return ready;
}

/** Live features a `replace` deletes: of the source (of the layer, for units) and not in the file. */
async function replaced(tx: Queryable, layer: LayerDef, p: Principal, source: string | undefined, keep: readonly number[]): Promise<{ id: number; label: string }[]> {
  const rule = requireWrite(layer, p, 'delete');
  const params: unknown[] = [keep];
  let scope = 'true';
  if (!isUnitLayer(layer)) {
    params.push(layer.table, source);
    scope = 't.id IN (SELECT feature_id FROM feature_sources WHERE layer_table = $2 AND source = $3)';
  }
  const { rows } = await tx.query<{ id: string | number; label: string }>(
    `SELECT t.id, t.${layer.label}::text AS label FROM ${layer.table} t
      WHERE t.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM unnest($1::bigint[]) AS k(id) WHERE k.id = t.id)
        AND ${scope} AND ${rowsWhere(layer, rule.rows, p, params)} ORDER BY t.id`, params);
  return rows.map((r) => ({ id: Number(r.id), label: r.label }));
}

function rowReports(candidates: readonly Candidate[], matched: readonly Matched[], written: Written | undefined, beats: Map<number, string | null>,
  committed: boolean, skipped: ReadonlySet<number>): RowReport[] {
  return candidates.map((c, i) => {
    const errors = c.errors;
    const action = written?.created.has(i) ? 'create' : written?.updated.has(i) ? 'update' : written?.unchanged.has(i) ? 'unchanged'
      : skipped.has(i) ? 'skip' : undefined;
    const target = written?.created.get(i) ?? written?.updated.get(i) ?? written?.unchanged.get(i) ?? matched[i]?.target;
    const r: RowReport = { row: c.row, status: errors.length ? 'error' : c.warnings.length ? 'warning' : 'ok' };
    if (action && !errors.length) r.action = action;
    if (target !== undefined && (action !== 'create' || committed)) r.id = target;
    if (target !== undefined && beats.has(target)) r.beat = beats.get(target)!;
    if (errors.length) r.errors = errors;
    if (c.warnings.length) r.warnings = c.warnings;
    return r;
  });
}

async function preview(tx: Queryable, layer: LayerDef, p: Principal, candidates: readonly Candidate[], reports: readonly RowReport[],
  geometries: readonly (object | undefined)[], written: Written | undefined, limit: number): Promise<ImportReport['preview']> {
  const features: object[] = [];
  const stored = new Map<number, number>([...(written?.created ?? []), ...(written?.updated ?? []), ...(written?.unchanged ?? [])]);
  const wanted = [...stored.entries()].slice(0, limit);
  const { rows } = wanted.length && layer.geometry
    ? await tx.query<{ id: string | number; feature: { id?: number; properties: Record<string, unknown> } }>(
      `SELECT t.id, ${featureJson(layer, p)} AS feature FROM ${layer.table} t WHERE t.id = ANY($1::bigint[])`, [wanted.map(([, id]) => id)])
    : { rows: [] };
  const byId = new Map(rows.map((r) => [Number(r.id), r.feature]));
  let total = 0;
  candidates.forEach((c, i) => {
    const report = reports[i]!;
    const stamp = { import_row: c.row, import_status: report.status, ...(report.action ? { import_action: report.action } : {}) };
    const f = stored.has(i) ? byId.get(stored.get(i)!) : undefined;
    // Rows not written (refused, or skipped as likely duplicates) are drawn as the file has them.
    const unwritten = report.status === 'error' || report.action === 'skip';
    const shown = f ?? (geometries[i] && unwritten
      ? { type: 'Feature', geometry: geometries[i], properties: { ...c.properties, import_message: (c.errors[0] ?? c.warnings[0])?.message } } : undefined);
    if (!shown && !stored.has(i) && !geometries[i]) return;
    total++;
    if (!shown || features.length >= limit) return;
    if (f && report.action === 'create' && !report.id) delete f.id;
    (shown as { properties: Record<string, unknown> }).properties = { ...(shown as { properties: Record<string, unknown> }).properties, ...stamp };
    features.push(shown);
  });
  return { type: 'FeatureCollection', features, truncated: total > features.length };
}

/** Whoever may create or update features of a layer may import into it; others hear the feature API's 401/403/404. */
export function requireImport(layer: LayerDef, p: Principal): void {
  if (!writeAccess(layer, p, 'create') && !writeAccess(layer, p, 'update')) requireWrite(layer, p, 'create');
}

/** How files are read: in workers, within the limits. */
export interface Reading {
  reader: FileReader;
  limits: ImportLimits;
}

export async function runImport(db: Db, layer: LayerDef, p: Principal, upload: Upload, opts: ImportOptions, onProgress: OnProgress,
  signal: AbortSignal, reading: Reading): Promise<ImportReport> {
  requireImport(layer, p);
  if (opts.replace) requireWrite(layer, p, 'delete');
  // Database calls of the embedded PGlite resolve without giving the event loop a turn: yield
  // one here, so progress reaches the client as it happens and a closed connection is seen.
  const progress: Step = async (phase, done, total) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) throw new ImportAborted();
    onProgress(phase, done, total);
  };

  const saved = await savedSource(db, layer, opts.source);
  const tolerance = opts.toleranceM2 !== undefined ? { m2: opts.toleranceM2, from: 'parameter' as const }
    : saved?.tolerance_m2 != null ? { m2: saved.tolerance_m2, from: 'saved' as const } : { m2: DEFAULT_TOLERANCE_M2, from: 'default' as const };
  const savedEncoding = saved?.encoding ? encodingNamed(saved.encoding) : undefined;
  const table = await reading.reader.read(upload.bytes, {
    ...(opts.format ? { format: opts.format } : {}),
    ...(upload.filename ? { filename: upload.filename } : {}),
    ...(opts.encoding ? { encoding: { encoding: opts.encoding, how: 'parameter' as const } }
      : savedEncoding ? { encoding: { encoding: savedEncoding, how: 'saved' as const } } : {}),
  }, signal);
  const mapping = opts.mapping ? { columns: opts.mapping, how: 'mapping' as const }
    : saved ? { columns: Object.fromEntries(Object.entries(saved.mapping).filter(([k]) => table.columns.includes(k))), how: 'saved' as const } : undefined;
  const { plan, sridHint } = planColumns(layer, table.columns, mapping);
  const defaults = readDefaults(layer, opts.defaults);
  checkFile(layer, plan, table.geometries, opts, defaults);
  const candidates = buildCandidates(layer, table, plan, defaults);
  composeAddresses(layer, candidates);
  checkWktShapes(candidates, reading.limits);
  await progress('read', candidates.length, candidates.length);

  const savedSrid = saved?.crs ? sridNamed(saved.crs) : undefined;
  const crsChoice: CrsChoice = { degreesByName: positionColumns(plan).lon !== undefined };
  if (opts.srid) crsChoice.parameter = opts.srid;
  if (table.declaredSrid) crsChoice.file = table.declaredSrid;
  if (savedSrid) crsChoice.saved = savedSrid;
  if (sridHint) crsChoice.header = sridHint;
  const { geometries, crs } = await placeCandidates(db, layer, candidates, crsChoice, (d, t) => progress('transform', d, t));
  const gazetteer = await checkAddresses(db, layer, candidates, geometries, crs);

  const { keys, warnings: matchWarnings } = rowKeys(layer, candidates, opts.match, opts.source, await instanceId(db));
  const mappedProperties = plan.map((c) => c.target).filter((t): t is string => t !== null && property(layer, t) !== undefined);
  const hasPositions = table.geometries || Object.keys(positionColumns(plan)).length > 0;

  try {
    return await db.transaction(async (tx) => {
      await actAs(tx, p.username);
      // Two imports of one source wait for each other instead of both adding its new rows.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`import ${layer.table} ${opts.source ?? ''}`]);
      const matched = await matchTargets(tx, layer, p, candidates, keys);
      await matchAddresses(tx, layer, p, gazetteer, matched);
      const ready = await validate(layer, p, candidates, matched, geometries, (d) => progress('validate', d, candidates.length));

      const parentOf = property(layer, 'station_code') ?? property(layer, 'precinct_code') ?? property(layer, 'bureau_code');
      const orphans = isUnitLayer(layer) && parentOf
        ? await missingParents(tx, layer, ready.map((r) => r.values[parentOf.name] as string | undefined)) : new Map<number, RowIssue>();
      const problems = await stageRows(tx, layer, p, ready.filter((_, k) => !orphans.has(k)));
      orphans.forEach((e, k) => problems.set(ready[k]!.index, e));
      const duplicates = isUnitLayer(layer) ? new Map<number, LikelyDuplicate>() : await likelyDuplicates(tx, layer, p, (k) => candidates[k]!.row);
      for (const [i, d] of duplicates) candidates[i]!.warnings.push(d.warning);
      // A row without a key of its own that repeats a feature is left out unless the caller said
      // to import it anyway; a row with its register's id, or like an earlier row only, is written.
      const skipped = new Set(opts.duplicates === 'skip'
        ? [...duplicates].filter(([i, d]) => d.existing !== undefined && keys[i] === undefined).map(([i]) => i) : []);
      await leaveOut(tx, skipped);
      // The features the file still has: those its rows update, and those its skipped rows repeat.
      const keep = [...matched.map((m) => m.target), ...[...skipped].map((i) => duplicates.get(i)!.existing)].filter((t): t is number => t !== undefined);
      const deleting = opts.replace ? await replaced(tx, layer, p, opts.source, keep) : [];
      await rememberUnits(tx, layer);
      if (isUnitLayer(layer)) await rememberShapes(tx, layer, [...ready.filter((r) => r.action === 'update').map((r) => r.target!), ...deleting.map((d) => d.id)]);

      const written = await writeRows(tx, layer, p, ready.filter((r) => !skipped.has(r.index)), { create: layer.properties.filter((x) => !x.derived).map((x) => x.name), update: mappedProperties, geometry: hasPositions },
        problems, (d, t) => progress('write', d, t));
      for (const [i, e] of written.problems) candidates[i]!.errors.push(e);
      if (deleting.length) {
        await tx.query(`UPDATE ${layer.table} t SET deleted_at = now(), deleted_by = $2, ${NEW_VERSION} WHERE t.id = ANY($1::bigint[])`,
          [deleting.map((d) => d.id), p.username]);
      }
      // A created row's key is recorded, so that the same register (or export) imported again updates it.
      const links = [...written.created].flatMap(([i, id]) => { const k = keys[i]; return k?.kind === 'link' ? [{ ...k, id }] : []; });
      if (links.length) {
        await tx.query(`INSERT INTO feature_sources (layer_table, source, external_id, feature_id)
          SELECT $1, x.source, x.ext, x.id FROM unnest($2::text[], $3::text[], $4::bigint[]) AS x(source, ext, id)`,
        [layer.table, links.map((l) => l.source), links.map((l) => l.key), links.map((l) => l.id)]);
      }
      await progress('check', 0, 1);
      const changed = [...written.created.values(), ...written.updated.values(), ...deleting.map((d) => d.id)];
      const units = await unitsReport(tx, layer, changed, tolerance);
      const fileErrors = [...boundaryIssues(units, layer), ...(gazetteer?.fileErrors ?? [])];

      const beats = new Map(written.beats);
      if (property(layer, 'beat_code')?.derived) {
        const { rows } = await tx.query<{ id: string | number; beat_code: string | null }>(`SELECT t.id, t.beat_code FROM unnest($1::bigint[]) AS k(id) JOIN ${layer.table} t ON t.id = k.id`,
          [[...written.unchanged.values()]]);
        for (const r of rows) beats.set(Number(r.id), r.beat_code);
        for (const [i, id] of [...written.created, ...written.updated]) {
          if (beats.get(id) === null) candidates[i]!.warnings.push(rowIssue('outside_beats', undefined, { field: 'geometry' }));
        }
      }

      const errorRows = candidates.filter((c) => c.errors.length > 0).length;
      const committed = !opts.dryRun && fileErrors.length === 0 && (errorRows === 0 || opts.validOnly);
      const rows = rowReports(candidates, matched, written, beats, committed, skipped);
      const counts: Counts = {
        rows: candidates.length,
        ok: rows.filter((r) => r.status === 'ok').length,
        warning: rows.filter((r) => r.status === 'warning').length,
        error: errorRows,
        create: written.created.size, update: written.updated.size, unchanged: written.unchanged.size,
        skip: rows.filter((r) => r.action === 'skip').length, delete: deleting.length,
      };
      const report: ImportReport = {
        layer: layer.id, dryRun: opts.dryRun, validOnly: opts.validOnly, duplicates: opts.duplicates, committed, message: '',
        source: opts.source ?? null,
        file: { name: upload.filename ?? null, format: table.format, encoding: table.encoding ?? null, crs: crs ?? null },
        match: opts.match, columns: plan, counts, warnings: [...table.warnings, ...matchWarnings], errors: fileErrors, ...(units ? { units } : {}), deleted: deleting, rows,
        preview: await preview(tx, layer, p, candidates, rows, geometries, written, opts.previewLimit),
      };
      report.message = summary(report);
      await progress('check', 1, 1);
      if (!committed) throw new RolledBack(report);
      if (opts.source) {
        await tx.query(`INSERT INTO import_sources (layer_table, source, mapping, encoding, crs, tolerance_m2) VALUES ($1, $2, $3::jsonb, $4, $5, $6)
          ON CONFLICT (layer_table, source) DO UPDATE SET mapping = EXCLUDED.mapping, encoding = EXCLUDED.encoding, crs = EXCLUDED.crs,
            tolerance_m2 = EXCLUDED.tolerance_m2, updated_by = EXCLUDED.updated_by, updated_at = now()`,
        [layer.table, opts.source, JSON.stringify(Object.fromEntries(plan.map((c) => [c.column, c.target]))), table.encoding?.name ?? null, crs?.crs ?? null,
          units ? tolerance.m2 : null]);
      }
      await tx.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'import', $2::jsonb)`,
        [p.username, JSON.stringify({ layer: layer.id, source: opts.source ?? null, file: upload.filename ?? null, format: table.format, counts })]);
      return report;
    });
  } catch (err) {
    if (err instanceof RolledBack) return err.report;
    throw err;
  }
}
