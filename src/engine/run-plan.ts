/**
 * Before any change: preflight, the tables to flush (less those an earlier run finished, with
 * --resume-from), their plan, the report skeleton and the journal's first records.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/connection.js';
import { ExitCode, InputError, PreflightError } from '../model/errors.js';
import { namesOf } from '../model/input-names.js';
import { now } from '../model/time.js';
import { twinMarker } from '../model/table-names.js';
import { binlogRetention, type BinlogRetention } from '../inspect/binlog.js';
import { foreignKeyEdges, showCreateMany } from '../inspect/tables.js';
import type { ServerFacts } from '../inspect/server.js';
import { preflight, type PreflightReport } from '../plan/preflight.js';
import {
  JOURNAL_FORMAT,
  JOURNAL_KIND,
  readJournal,
  tableState,
  type JournalHeader,
  type JournalRecord,
  type JournalState,
} from '../journal/journal.js';
import type { Logger } from '../model/log.js';
import { describeCopy } from '../plan/chunks.js';
import { planTables, type PlannedTable } from '../plan/plan.js';
import { rulesFor } from '../flavours/index.js';
import { fkFamilies } from '../plan/families.js';
import { CHUNK_BYTES, DEFAULTS, type FlushSettings } from '../model/settings.js';
import { describeEstimate, estimateRun, retentionWarnings } from '../plan/estimate.js';
import type { RunReport } from './report.js';
import { recordedOptions } from '../journal/options.js';
import { copyShape } from './table-steps.js';
import { resumeTables } from './resume-plan.js';
import { describeBasis, freshFigures } from '../plan/figures.js';

export interface RunPlan {
  pre: PreflightReport;
  plan: PlannedTable[];
  runTag: string;
  marker: string;
  report: RunReport;
  /** The server's binlog expiry, checked again at the measured rate while the run goes. */
  retention: BinlogRetention;
  /** Each planned table's foreign-key family (plan/families): renamed one at a time per family. */
  families: Map<number, number>;
  /** A resume: the tables the earlier run (and those before it) had finished. */
  doneBefore?: { schema: string; table: string }[];
}

/** Preflight (refusing with every failure), then the plan. Changes nothing. */
export async function planRun(control: Db, s: FlushSettings, log: Logger): Promise<RunPlan> {
  const startedAt = now();
  const pre = await log.group('Preflight', () => preflight(control, s, log));
  for (const w of pre.warnings) log.warn(w);
  if (pre.failures.length) throw new PreflightError(pre.failures);

  const earlier = s.resumeFrom ? leftToFlush(pre, s, log) : undefined;
  const found = earlier?.left ?? pre.discovery.tables;
  const showCreates = await showCreateMany(
    control,
    found.map((f) => ({ schema: f.row.schema, table: f.row.name })),
  );
  const runTag = randomBytes(4).toString('hex');
  const chunk = { rows: s.chunkSize, bytes: CHUNK_BYTES };
  const plan = planTables(found, showCreates, runTag, rulesFor(pre.facts.dialect.version), chunk);
  if (earlier) {
    const failures = await resumeTables(
      control,
      plan,
      earlier.journal,
      s.resumeFrom!,
      namesOf(s).name('resume'),
      log,
    );
    if (failures.length) throw new PreflightError(failures);
  }
  const basis = await freshFigures(control, pre.facts.dialect.version.flavour, plan, chunk);
  const report = emptyReport(s, pre, plan, startedAt);
  report.estimate = {
    ...estimateRun(plan, Math.min(DEFAULTS.assumedRowsPerSecond, s.controls?.maxRowsPerSecond ?? Infinity)),
    basis: describeBasis(basis),
  };
  log.info(`binlog estimate: ${describeEstimate(report.estimate)}`);
  const retention = await binlogRetention(control);
  for (const w of retentionWarnings(
    retention,
    report.estimate,
    s.retentionMarginHours ?? DEFAULTS.retentionMarginHours,
    pre.facts.dialect.version.flavour,
    undefined,
    namesOf(s).name('retention-margin'),
  )) {
    log.warn(w);
    report.warnings.push(w);
  }
  for (const k of report.skipped) log.info(`skipped ${k.schema}.${k.table}: ${k.reason}`);
  const edges = await foreignKeyEdges(control, [...new Set(plan.map((t) => t.schema))]);
  const families = fkFamilies(plan, edges);
  const doneBefore =
    earlier &&
    [...earlier.done].map((k) => {
      const [schema, table] = k.split('\u0000') as [string, string];
      return { schema, table };
    });
  return {
    pre,
    plan,
    runTag,
    marker: twinMarker(runTag),
    report,
    retention,
    families,
    ...(doneBefore && { doneBefore }),
  };
}

/**
 * The tables preflight found, less those the earlier run of the journal `s.resumeFrom` finished
 * (listed as skipped). That run must have been on this server.
 */
function leftToFlush(
  pre: PreflightReport,
  s: FlushSettings,
  log: Logger,
): { left: PreflightReport['discovery']['tables']; journal: JournalState; done: Set<string> } {
  const journal = s.resumeFrom!;
  const input = namesOf(s).name('resume');
  const earlier = readJournal(journal, undefined, { journal: input });
  if (earlier.header && earlier.header.serverId !== pre.facts.serverId) {
    throw new InputError(
      input,
      `${journal} is the journal of a run on server_id ${earlier.header.serverId} (${earlier.header.host}); this server's is ${pre.facts.serverId}: resume against the server that ran it`,
    );
  }
  const done = finishedTables(earlier);
  const all = pre.discovery.tables;
  const left = all.filter((f) => !done.has(`${f.row.schema}\u0000${f.row.name}`));
  for (const key of done) {
    const [schema, table] = key.split('\u0000') as [string, string];
    pre.discovery.skipped.push({ schema, table, reason: `already flushed by the run of ${journal}` });
  }
  log.info(
    `resume: ${all.length - left.length} table(s) already flushed by the earlier run; ${left.length} left`,
  );
  return { left, journal: earlier, done };
}

/** schema\0table of every table a journal shows finished (twin dropped, table back). */
export function finishedTables(j: JournalState): Set<string> {
  const done = j.tables
    .filter((t) => tableState(j, t.id).flushed !== undefined)
    .map((t) => `${t.schema}\u0000${t.table}`);
  return new Set([...j.doneBefore, ...done]);
}

function emptyReport(
  s: FlushSettings,
  pre: PreflightReport,
  plan: PlannedTable[],
  startedAt: string,
): RunReport {
  return {
    status: 'planned',
    exitCode: ExitCode.ok,
    host: s.connection.socket ? 'localhost' : s.connection.host,
    port: s.connection.port,
    serverId: pre.facts.serverId,
    serverVersion: pre.facts.dialect.version.text,
    startedAt,
    finishedAt: startedAt,
    tables: plan.map((t) => ({
      schema: t.schema,
      table: t.table,
      status: 'planned',
      rows: 0,
      chunks: 0,
      seconds: 0,
      rowsEstimate: t.rowsEstimate,
      bytesEstimate: t.bytesEstimate,
      chunking: describeCopy(t.key, copyShape(t), s.chunkSize),
      ...(t.resumed && {
        resumed: { chunksBefore: t.resumed.done.length, rowsBefore: t.resumed.rowsBefore },
      }),
    })),
    skipped: pre.discovery.skipped,
    warnings: pre.warnings,
    replica: { wasReplica: pre.replica !== undefined, stopped: false, started: false },
  };
}

/** The journal's first records: the header (what ran, where, with which options; never a secret) and the plan. */
export function journalStart(s: FlushSettings, r: RunPlan, tool: string): JournalRecord[] {
  const run = { host: r.report.host, startedAt: r.report.startedAt, runTag: r.runTag, tool };
  return [
    journalHeader(s, r.pre.facts, run),
    {
      type: 'plan',
      marker: r.marker,
      tables: r.plan.map((t) => ({
        id: t.id,
        schema: t.schema,
        table: t.table,
        backup: t.backup,
        twin: t.twin,
      })),
    },
    ...(r.doneBefore?.length ? [{ type: 'done-before' as const, tables: r.doneBefore, at: now() }] : []),
  ];
}

export function journalHeader(
  s: FlushSettings,
  facts: ServerFacts,
  run: { host: string; startedAt: string; runTag: string; tool: string },
): JournalHeader {
  return {
    type: 'header',
    kind: JOURNAL_KIND,
    format: JOURNAL_FORMAT,
    tool: run.tool,
    host: run.host,
    port: s.connection.port,
    serverId: facts.serverId,
    serverUuid: facts.serverUuid,
    serverVersion: facts.dialect.version.text,
    flavour: facts.dialect.version.flavour,
    startedAt: run.startedAt,
    runTag: run.runTag,
    options: { ...recordedOptions(s) },
  };
}
