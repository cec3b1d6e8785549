/**
 * The job summary, as markdown built from a run's report. Pure.
 */
import { formatSeconds } from '../model/format.js';
import type { RecoverReport } from '../engine/recover.js';
import {
  applierLine,
  copyLine,
  partialText,
  partialTotals,
  totals,
  type RunReport,
} from '../engine/report.js';
import { describeSetting } from '../engine/server-settings.js';
import { describeEstimate } from '../plan/estimate.js';
import type { VerifyReport } from '../verify/verify.js';
import { eventsText } from '../verify/check.js';

const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
/** Inline code that holds any name: a fence longer than any run of backticks inside it. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 ? ' ' : '';
  return `${fence}${pad}${esc(text)}${pad}${fence}`;
}
const pos = (p?: { file: string; position: number; gtid: string }) =>
  p ? `\`${p.file}:${p.position}\`${p.gtid ? ` (GTID \`${p.gtid}\`)` : ''}` : '-';

export function flushSummary(r: RunReport, recoverHint?: string): string {
  const out: string[] = [];
  const t = totals(r);
  const title = r.status === 'planned' ? 'binlog-flusher plan' : `binlog-flusher: ${r.status}`;
  out.push(`## ${title}`, '');
  out.push(`Server \`${esc(r.host)}:${r.port}\` (${esc(r.serverVersion)}, server_id ${r.serverId})`, '');
  if (r.nothing) {
    out.push(
      `Nothing to flush: ${esc(r.nothing.reason)}.`,
      '',
      `- Replica applier: ${r.nothing.applier}${r.replica.startWith ? ` (resume with start-replica: true starts it, or run \`${r.replica.startWith}\`)` : ''}`,
    );
  } else if (r.status === 'planned') {
    out.push('| table | rows (estimate) | MiB (estimate) | copy |', '|---|---:|---:|---|');
    for (const x of r.tables) {
      out.push(
        `| ${code(`${x.schema}.${x.table}`)} | ${x.rowsEstimate} | ${(x.bytesEstimate / 1048576).toFixed(1)} | ${esc(x.chunking)} |`,
      );
    }
  } else {
    out.push('| table | rows | duration | status |', '|---|---:|---:|---|');
    for (const x of r.tables) {
      out.push(
        `| ${code(`${x.schema}.${x.table}`)} | ${x.rows} | ${x.status === 'flushed' ? formatSeconds(x.seconds) : '–'} | ${x.status}${x.partial ? ` (${partialText(x)})` : ''}${x.error ? `: ${esc(x.error)}` : ''} |`,
      );
    }
    out.push(`| **total** | **${t.rows}** | | **${t.tables} of ${r.tables.length} flushed** |`, '');
    const part = partialTotals(r);
    if (part.tables)
      out.push(
        `- Partial: ${part.tables} table(s) put back before every row was copied; their DDL and ${part.rows} of their rows are in the binlog (listed in the manifest, marked partial).`,
      );
    if (r.copy) out.push(`- ${esc(copyLine(r.copy))}`);
    if (r.binlog) {
      out.push(`- Binlog start: ${pos(r.binlog.start)}`);
      out.push(`- Binlog end: ${pos(r.binlog.end)}`);
    }
    if (r.sourceApplied)
      out.push(`- Source position applied when the applier stopped: ${pos(r.sourceApplied)}`);
    if (r.estimate) out.push(`- Binlog estimate before the run: ${esc(describeEstimate(r.estimate))}`);
    if (r.manifest) out.push(`- Manifest (per table binlog ranges): \`${esc(r.manifest)}\``);
    out.push(`- Replica applier: ${applierLine(r.replica)}`);
    for (const st of r.settings ?? []) out.push(`- Server setting ${esc(describeSetting(st))}`);
  }
  if (r.status === 'planned' && r.estimate)
    out.push('', `Binlog estimate: ${esc(describeEstimate(r.estimate))}`);
  out.push(...manifestTable(r), ...gtidSection(r));
  if (r.skipped.length) {
    out.push('', '### Not flushed', '', '| object | reason |', '|---|---|');
    for (const k of r.skipped) out.push(`| ${code(`${k.schema}.${k.table}`)} | ${esc(k.reason)} |`);
  }
  if (r.warnings.length) {
    out.push('', '### Warnings', '');
    for (const w of r.warnings) out.push(`- ${esc(w)}`);
  }
  if (recoverHint) out.push('', '### Recovery needed', '', recoverHint);
  return out.join('\n') + '\n';
}

/** Per flushed table, where its events are (the first 50; the manifest file has them all). */
function manifestTable(r: RunReport): string[] {
  const xs = r.tables.filter((t) => (t.status === 'flushed' || t.partial) && t.binlog);
  if (!xs.length) return [];
  const out = [
    '',
    '### Manifest',
    '',
    '| table | rows | chunks | binlog start | binlog end |',
    '|---|---:|---:|---|---|',
  ];
  for (const x of xs.slice(0, 50))
    out.push(
      `| ${code(`${x.schema}.${x.table}`)}${x.partial ? ' (partial)' : ''} | ${x.rows} | ${x.chunks} | ${pos(x.binlog!.start)} | ${pos(x.binlog!.end)} |`,
    );
  if (xs.length > 50) out.push('', `${xs.length - 50} more tables in the manifest file.`);
  return out;
}

function gtidSection(r: RunReport): string[] {
  const g = r.gtid;
  if (!g || !g.written) return [];
  const out = [
    '',
    '### GTIDs',
    '',
    `The flush wrote \`${esc(g.written)}\` on this replica (${esc(g.placement)}).`,
  ];
  if (g.steps.length)
    out.push('', 'Before this replica is promoted or another server replicates from it:', '');
  for (const st of g.steps) out.push(`- ${esc(st.where)}:`, '', '  ```sql', `  ${st.sql}`, '  ```');
  return out;
}

export function recoverSummary(r: RecoverReport): string {
  const out = [`## binlog-flusher recover: ${r.status}`, '', '| table | outcome | detail |', '|---|---|---|'];
  for (const t of r.tables)
    out.push(
      `| ${code(`${t.schema}.${t.table}`)} | ${t.ok ? '' : '**'}${t.outcome}${t.ok ? '' : '**'} | ${esc(t.detail)} |`,
    );
  if (r.settings.length) out.push('');
  for (const st of r.settings) out.push(`- Server setting ${esc(describeSetting(st))}`);
  return out.join('\n') + '\n';
}

/** What to do when tables are left set aside: a workflow step and the CLI command. */
export function recoveryInstructions(artifactName: string, host: string, runId: string | undefined): string {
  return [
    'Some tables are still set aside. Put them back with a step such as:',
    '',
    '```yaml',
    '- uses: binlog-flusher/binlog-flusher@v1',
    '  with:',
    '    mode: recover',
    `    host: ${host}`,
    `    artifact-name: ${artifactName}`,
    ...(runId ? [`    run-id: ${runId}`, '    github-token: ${{ github.token }}'] : []),
    '    password: ${{ secrets.REPLICA_PASSWORD }}',
    '```',
    '',
    `or download the artifact \`${artifactName}-final\` (else \`${artifactName}\`) and run \`binlog-flusher recover --host ${host} --hashfile <file>\`.`,
  ].join('\n');
}

export function verifySummary(r: VerifyReport): string {
  const byValue = r.tables.filter((t) => t.values?.by === 'value');
  const out = [
    `## binlog-flusher verify: ${r.status}`,
    '',
    `Binlog ${pos(r.binlog.start)} .. ${pos(r.binlog.end)}: ${eventsText(r)} read.`,
    '',
    `Compared by value: ${byValue.length} of ${r.tables.length} tables (each row of the table against the rows in the binlog); the others by row count.`,
    '',
    '| table | journal rows | binlog rows | compared | result |',
    '|---|---:|---:|---|---|',
  ];
  for (const t of r.tables) {
    const how = !t.values
      ? '-'
      : t.values.by === 'value'
        ? 'by value'
        : `by count: ${esc(t.values.why ?? '')}`;
    out.push(
      `| ${code(`${t.schema}.${t.table}`)} | ${t.expected} | ${t.found} | ${how} | ${t.problems.length ? `**mismatch**: ${esc(t.problems.join('; '))}` : 'ok'} |`,
    );
  }
  const differing = r.tables.filter((t) => t.values?.differences?.length);
  if (differing.length) {
    out.push('', '### Rows that differ between the binlog and the table', '');
    out.push(
      'Keys and column names only; values are never shown (a character, binary or address key shows as `~` and the start of its SHA-256).',
      '',
    );
    for (const t of differing)
      for (const d of t.values!.differences!) out.push(`- ${code(`${t.schema}.${t.table}`)}: ${esc(d)}`);
  }
  if (r.foreign.length) {
    out.push('', "### Events in the range that are no flushed table's", '');
    for (const f of r.foreign) out.push(`- ${esc(f.what)} (${f.count}, first at \`${f.first}\`)`);
  }
  return out.join('\n') + '\n';
}

/** The tables whose rows verify proved equal to the binlog's, by value (`schema.table`). */
export function provenByValue(r: VerifyReport): string[] {
  return r.tables
    .filter((t) => t.values?.by === 'value' && t.values.equal)
    .map((t) => `${t.schema}.${t.table}`);
}
