/**
 * npm run import -- <layer> <file> [--dry-run] [--valid-only] [--replace] [--encoding big5]
 *   [--crs EPSG:3826] [--source NAME] [--mapping JSON|@file] [--defaults JSON|@file] [--format csv]
 *   [--match auto|id|external_id|none] [--duplicates skip|import]
 *   [--url http://127.0.0.1:8080] [--user NAME | --token TOKEN] [--json]
 *
 * Sends the file to POST /api/import/{layer} of the running service and shows its progress (a
 * bar on a terminal, a line per step otherwise) and its report. Exit status: 0 when the file was
 * imported (or a dry run found no errors), 1 when rows have errors or the file was refused, 2
 * for a usage or connection problem.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { authorization, CLIENT_OPTIONS, errorLine, runCli, UsageError } from './lib/client.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ...CLIENT_OPTIONS,
    'dry-run': { type: 'boolean', default: false },
    'valid-only': { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
    encoding: { type: 'string' },
    crs: { type: 'string' },
    source: { type: 'string' },
    mapping: { type: 'string' },
    defaults: { type: 'string' },
    format: { type: 'string' },
    tolerance: { type: 'string' },
    match: { type: 'string' },
    duplicates: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

interface Report {
  message: string;
  committed: boolean;
  dryRun: boolean;
  file: { format: string; encoding: { name: string; how: string } | null; crs: { crs: string; how: string; swapped: boolean; note?: string } | null };
  columns: { column: string; target: string | null; note?: string }[];
  counts: Record<string, number>;
  warnings: string[];
  errors: { message: string }[];
  rows: { row: number; status: string; errors?: { message: string; column?: string }[]; warnings?: { message: string }[] }[];
}

/** A JSON parameter given inline or as @file. */
const jsonArg = async (v: string | undefined) => (v?.startsWith('@') ? (await readFile(v.slice(1), 'utf8')).trim() : v);

const PHASES: Record<string, string> = { read: '讀取', transform: '坐標轉換', validate: '檢核', write: '寫入', check: '比對' };

function progressPrinter(): (phase: string, done: number, total: number) => void {
  let last = '';
  return (phase, done, total) => {
    const pct = total ? Math.floor((done / total) * 100) : 100;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      process.stderr.write(`\r${PHASES[phase] ?? phase} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}   `);
      return;
    }
    const step = `${phase} ${Math.floor(pct / 10)}`;
    if (step === last) return;
    last = step;
    process.stderr.write(`${phase} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}\n`);
  };
}

function printReport(r: Report): void {
  const out: string[] = [r.message];
  const f = r.file;
  out.push(`file: ${f.format}${f.encoding ? `, ${f.encoding.name} (${f.encoding.how})` : ''}${f.crs ? `, ${f.crs.crs} (${f.crs.how}${f.crs.swapped ? ', columns swapped' : ''})` : ''}`);
  if (f.crs?.note) out.push(`  ${f.crs.note}`);
  out.push(`columns: ${r.columns.map((c) => `${c.column} → ${c.target ?? '—'}`).join(', ')}`);
  out.push(`rows: ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  for (const e of r.errors) out.push(`error: ${e.message}`);
  const shown = r.rows.filter((x) => x.status !== 'ok').slice(0, 20);
  for (const x of shown) {
    for (const e of x.errors ?? []) out.push(`  row ${x.row}: error: ${e.message}`);
    for (const w of x.warnings ?? []) out.push(`  row ${x.row}: warning: ${w.message}`);
  }
  const more = r.rows.filter((x) => x.status !== 'ok').length - shown.length;
  if (more > 0) out.push(`  … and ${more} more rows with remarks (--json for all)`);
  console.log(out.join('\n'));
}

async function main(): Promise<number> {
  const [layer, file] = positionals;
  if (!layer || !file) throw new UsageError('usage: npm run import -- <layer> <file> [--dry-run] [--valid-only] [--encoding big5] [--crs EPSG:3826] [--url …] [--user … | --token …]');
  const bytes = await readFile(file);
  const params = new URLSearchParams();
  if (values['dry-run']) params.set('dryRun', 'true');
  if (values['valid-only']) params.set('validOnly', 'true');
  if (values.replace) params.set('replace', 'true');
  for (const name of ['encoding', 'crs', 'source', 'format', 'tolerance', 'match', 'duplicates'] as const) if (values[name]) params.set(name, values[name]!);
  const mapping = await jsonArg(values.mapping);
  if (mapping) params.set('mapping', mapping);
  const defaults = await jsonArg(values.defaults);
  if (defaults) params.set('defaults', defaults);
  params.set('filename', basename(file));

  const headers = { ...(await authorization(values)), 'Content-Type': 'application/octet-stream', Accept: 'application/x-ndjson' };
  const res = await fetch(new URL(`/api/import/${encodeURIComponent(layer)}?${params}`, values.url), { method: 'POST', headers, body: bytes });
  if (!res.ok || !res.body) {
    console.error(errorLine(res.status, await res.json().catch(() => null)));
    return 1;
  }
  const progress = progressPrinter();
  const decoder = new TextDecoder();
  let pending = '';
  let outcome: { type: string; status: number; report?: Report; error?: unknown } | undefined;
  for await (const chunk of res.body) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const event = JSON.parse(pending.slice(0, nl)) as { type: string; phase: string; done: number; total: number; status: number };
      pending = pending.slice(nl + 1);
      if (event.type === 'progress') progress(event.phase, event.done, event.total);
      else outcome = event as typeof outcome;
    }
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (!outcome) {
    console.error('the service closed the connection before answering; nothing was written');
    return 2;
  }
  if (outcome.type === 'error') {
    console.error(errorLine(outcome.status, outcome));
    return 1;
  }
  const report = outcome.report!;
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  return report.committed || (report.dryRun && report.counts.error === 0 && report.errors.length === 0) ? 0 : 1;
}

runCli(main, 'import');
