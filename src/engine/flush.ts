/**
 * The flush, start to end: preflight -> plan -> journal -> stop the applier -> tables through the
 * pipeline, `concurrency` at a time -> coordinates -> report. On any failure the tables that are set
 * aside are put back before returning; what cannot be put back is named with the recover command.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Db } from '../db/connection.js';
import { lockWaitFor, prepareSession } from '../db/session.js';
import { ExitCode, PreflightError, TableError, errorText } from '../errors.js';
import type { Dialect } from '../db/dialect.js';
import { binlogPosition, replicaStatus, showCreateMany, type ServerFacts } from '../inspect/inspector.js';
import { preflight } from '../inspect/preflight.js';
import {
  JOURNAL_FORMAT,
  JOURNAL_KIND,
  JournalWriter,
  readJournal,
  twinMarker,
  type JournalHeader,
  type JournalState,
} from '../journal/journal.js';
import { claimWorkerSlot } from '../db/run-lock.js';
import type { Logger } from '../log.js';
import { columnsHash, planTables, type PlannedTable, type Skipped } from '../plan/plan.js';
import { CHUNK_BYTES, type FlushSettings } from '../settings.js';
import { setSqlLogBin } from '../sql/builders.js';
import { logProgress } from './progress.js';
import { holdReadOnly, putBackSettings } from './server-settings.js';
import { dropOurTwins, restoreTable } from './restore.js';
import { flushTable, type TableContext, type WorkerConnection } from './table-flush.js';
import type { FaultHook } from './fault.js';
import { defaultHashfile, recoverCommand, type RunReport, type TableReport } from './report.js';

export interface FlushDeps {
  log: Logger;
  toolVersion: string;
  signal?: AbortSignal;
  fault?: FaultHook;
  /** Called once the journal's header and plan are on disk, before the first change. */
  onJournalReady?: (path: string) => Promise<void>;
}

const iso = () => new Date().toISOString();

function connectionLost(e: unknown): boolean {
  const code = (e as { code?: string }).code ?? '';
  const fatal = (e as { fatal?: boolean }).fatal === true;
  return (
    fatal ||
    ['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(
      code,
    )
  );
}

/** An error of the local file system (the journal could not be written): nothing more may be done. */
function fileSystemError(e: unknown): boolean {
  return typeof (e as { syscall?: unknown }).syscall === 'string' && !connectionLost(e);
}

export async function flush(s: FlushSettings, deps: FlushDeps): Promise<RunReport> {
  const db = await connect(s.connection, s.timeout);
  try {
    return await flushWith(db, s, deps);
  } finally {
    await db.close();
  }
}

async function flushWith(control: Db, s: FlushSettings, deps: FlushDeps): Promise<RunReport> {
  const { log } = deps;
  const startedAt = iso();
  const pre = await log.group('Preflight', () => preflight(control, s, log));
  for (const w of pre.warnings) log.warn(w);
  if (pre.failures.length) throw new PreflightError(pre.failures);

  const facts = pre.facts;
  const d = facts.dialect;
  let found = pre.discovery.tables;
  if (s.resumeFrom) {
    const done = finishedTables(readJournal(s.resumeFrom));
    const before = found.length;
    found = found.filter((f) => !done.has(`${f.row.schema}\u0000${f.row.name}`));
    for (const key of done) {
      const [schema, table] = key.split('\u0000') as [string, string];
      pre.discovery.skipped.push({ schema, table, reason: `already flushed by the run of ${s.resumeFrom}` });
    }
    log.info(
      `resume: ${before - found.length} table(s) already flushed by the earlier run; ${found.length} left`,
    );
  }
  const showCreates = await showCreateMany(
    control,
    found.map((f) => ({ schema: f.row.schema, table: f.row.name })),
  );
  const runTag = randomBytes(4).toString('hex');
  const plan = planTables(found, showCreates, runTag, { rows: s.chunkSize, bytes: CHUNK_BYTES });
  const marker = twinMarker(runTag);
  const report: RunReport = {
    status: 'planned',
    exitCode: ExitCode.ok,
    host: s.connection.socket ? 'localhost' : s.connection.host,
    port: s.connection.port,
    serverId: facts.serverId,
    serverVersion: d.version.text,
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
      chunking: t.key
        ? `keyset on ${t.key.index} (${t.key.columns.join(', ')}), ${t.chunkRows} rows`
        : t.partitions.length
          ? 'whole, per partition'
          : 'whole table',
    })),
    skipped: pre.discovery.skipped,
    warnings: pre.warnings,
    replica: { wasReplica: pre.replica !== undefined, stopped: false, started: false },
  };
  logSkipped(log, report.skipped);
  if (s.dryRun) {
    report.finishedAt = iso();
    return report;
  }

  // The journal: header and the whole plan on disk before anything changes.
  const hashfile = s.hashfile ?? defaultHashfile(report.host, new Date());
  const journal = await JournalWriter.create(hashfile, [
    journalHeader(s, facts, { host: report.host, startedAt, runTag, tool: deps.toolVersion }),
    {
      type: 'plan',
      marker,
      tables: plan.map((t) => ({
        id: t.id,
        schema: t.schema,
        table: t.table,
        backup: t.backup,
        twin: t.twin,
      })),
    },
  ]);
  report.hashfile = hashfile;
  if (deps.fault) journal.afterWrite = () => deps.fault?.('journal');
  try {
    if (deps.onJournalReady) await deps.onJournalReady(hashfile);

    await log.group('Replication', async () => {
      if (s.setReadOnly) {
        const held = await holdReadOnly(control, journal, log);
        if (held) report.settings = [held];
      }
      if (pre.replica && s.replication.stopReplica) {
        await control.exec(d.stopReplica);
        report.replica.stopped = true;
        log.info('replica applier stopped');
      }
      const after = pre.replica ? await replicaStatus(control, d) : undefined;
      if (after) {
        report.sourceApplied = {
          file: after.sourceLogFile,
          position: after.execSourceLogPos,
          gtid: after.gtidApplied,
        };
        log.info(
          `source position applied: ${after.sourceLogFile}:${after.execSourceLogPos}${after.gtidApplied ? ` (GTID ${after.gtidApplied})` : ''}`,
        );
      }
      if (s.rotateBinlog) {
        await control.exec(`${setSqlLogBin(false)};\nFLUSH NO_WRITE_TO_BINLOG BINARY LOGS`);
        log.info('started a new binlog file');
      }
    });
    const start = await binlogPosition(control, d);
    report.binlog = { start };

    await log.group(
      `Flush (${plan.length} tables, concurrency ${Math.min(s.concurrency, plan.length)})`,
      () => runTables({ control, plan, report, settings: s, deps, journal, dialect: d, marker }),
    );

    // The tables are settled; what follows must not hide their status if the server stops answering.
    finishStatus(report, s);
    try {
      const end = await binlogPosition(control, d);
      report.binlog.end = end;
      if (facts.gtidOn && end.gtid !== start.gtid) report.errantGtids = `${start.gtid} -> ${end.gtid}`;
    } catch (e) {
      report.warnings.push(`could not read the binlog position after the flush: ${errorText(e)}`);
      log.warn(report.warnings.at(-1)!);
    }
    if (report.status !== 'recovery-needed') await putBackServerSettings(control, report, journal, log);
    if (report.status !== 'recovery-needed' && pre.replica && s.replication.startReplica) {
      try {
        await control.exec(d.startReplica);
        report.replica.started = true;
        log.info('replica applier started');
      } catch (e) {
        report.warnings.push(`could not start the replica applier again: ${errorText(e)}; start it by hand`);
        log.warn(report.warnings.at(-1)!);
      }
    }
    // The outcome is settled and reported whether or not this last record reaches the disk.
    await journal
      .write({ type: 'end', status: report.status === 'planned' ? 'flushed' : report.status, at: iso() })
      .catch((e: unknown) => log.warn(`journal: could not write the end record: ${errorText(e)}`));
    report.finishedAt = iso();
    return report;
  } finally {
    try {
      await journal.close();
    } catch (e) {
      log.warn(`journal: ${errorText(e)}`);
    }
  }
}

/** Every table is back: put back the settings the run changed (a failure only warns: recover does it). */
async function putBackServerSettings(
  control: Db,
  report: RunReport,
  journal: JournalWriter,
  log: Logger,
): Promise<void> {
  const held = (report.settings ?? []).filter((x) => x.outcome === 'held');
  if (held.length === 0) return;
  try {
    report.settings = await putBackSettings(control, held, journal, log);
  } catch (e) {
    report.warnings.push(
      `could not put read_only back to ${held[0]!.from}: ${errorText(e)}; \`binlog-flusher recover\` with the journal does it`,
    );
    log.warn(report.warnings.at(-1)!);
  }
}

/** The journal's first record: what ran, where, with which options; never a secret. */
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
    startedAt: run.startedAt,
    runTag: run.runTag,
    options: {
      databases: s.selection.databases,
      tables: s.selection.tables,
      skip: s.selection.skip,
      concurrency: s.concurrency,
      chunkSize: s.chunkSize,
      ddl: s.ddl,
      stopReplica: s.replication.stopReplica,
      startReplica: s.replication.startReplica,
    },
  };
}

function finishStatus(report: RunReport, s: FlushSettings): void {
  const bad = report.tables.filter((t) => t.status === 'needs-recovery');
  if (report.parkedTwinsLeft) {
    report.status = 'recovery-needed';
    report.exitCode = ExitCode.recoveryNeeded;
    report.recoverCommand = recoverCommand(s, report.hashfile ?? '');
    return;
  }
  const failed = report.tables.some((t) => t.status !== 'flushed');
  if (bad.length) {
    report.status = 'recovery-needed';
    report.exitCode = ExitCode.recoveryNeeded;
    report.recoverCommand = recoverCommand(s, report.hashfile ?? '');
  } else if (failed) {
    report.status = 'failed-restored';
    report.exitCode = ExitCode.failedRestored;
  } else {
    report.status = 'flushed';
    report.exitCode = ExitCode.ok;
  }
}

function logSkipped(log: Logger, skipped: Skipped[]): void {
  for (const k of skipped) log.info(`skipped ${k.schema}.${k.table}: ${k.reason}`);
}

/** A worker session: prepared like the control session, and marked as part of this run (run-lock.ts). */
export async function openWorker(s: FlushSettings, slot = 1): Promise<Db> {
  const db = await connect(s.connection, s.timeout);
  try {
    const problems = await prepareSession(db, lockWaitFor(s.timeout));
    if (problems.length) throw new Error(`session setup failed: ${problems.map((p) => p.error).join('; ')}`);
    await claimWorkerSlot(db, slot);
    return db;
  } catch (e) {
    await db.close();
    throw e;
  }
}

interface RunContext {
  control: Db;
  plan: PlannedTable[];
  report: RunReport;
  settings: FlushSettings;
  deps: FlushDeps;
  journal: JournalWriter;
  dialect: Dialect;
  marker: string;
}

/** Runs the pipeline over the plan, `concurrency` tables at a time; puts back what fails. */
async function runTables(run: RunContext): Promise<void> {
  const { control, plan, report, settings: s, deps, journal, dialect, marker } = run;
  const { log } = deps;
  const progress = logProgress(log);
  // Largest first: the long tables start early and the small ones fill the gaps.
  const queue = [...plan].sort((a, b) => b.bytesEstimate - a.bytesEstimate || a.id - b.id);
  let stopping = false;
  let cancelled = false;
  const busy = new Set<Db>();
  const onAbort = () => {
    if (cancelled) return;
    cancelled = true;
    stopping = true;
    log.warn('cancel requested: stopping the running copies and putting every table back');
    for (const w of busy) control.exec(`KILL QUERY ${w.threadId}`).catch(() => undefined);
  };
  if (deps.signal?.aborted) onAbort();
  deps.signal?.addEventListener('abort', onAbort, { once: true });

  const putBack = async (t: PlannedTable, db: Db | undefined, rep: TableReport) => {
    const entry = {
      schema: t.schema,
      table: t.table,
      backup: t.backup,
      twin: t.twin,
      columns: columnsHash(t.columns),
    };
    const attempt = async (conn: Db) =>
      restoreTable(entry, {
        db: conn,
        marker,
        shellMayExist: true,
        log,
      });
    let fresh: Db | undefined;
    try {
      let res;
      try {
        if (!db) throw Object.assign(new Error('no connection'), { fatal: true });
        res = await attempt(db);
      } catch (e) {
        if (!connectionLost(e) && db) throw e;
        fresh = await openWorker(s);
        res = await attempt(fresh);
      }
      rep.status = res.ok ? 'restored' : 'needs-recovery';
      await journal
        .write({ type: 'recover', id: t.id, outcome: res.outcome, at: iso() })
        .catch((e: unknown) => log.warn(`journal: ${errorText(e)}`));
      log.info(`${t.schema}.${t.table}: ${res.detail}`);
    } catch (e) {
      rep.status = 'needs-recovery';
      log.error(`${t.schema}.${t.table}: could not be put back: ${errorText(e)}`);
    } finally {
      await fresh?.close();
    }
  };

  const worker = async (slot: number) => {
    let conn: WorkerConnection | undefined;
    try {
      const db = await openWorker(s, slot);
      const c: WorkerConnection = {
        db,
        reconnect: async () => {
          busy.delete(c.db);
          await c.db.close();
          c.db = await openWorker(s, slot);
          busy.add(c.db);
        },
      };
      conn = c;
      for (;;) {
        if (stopping) return;
        const t = queue.shift();
        if (!t) return;
        const rep = report.tables[t.id - 1]!;
        const ctx: TableContext = {
          conn: c,
          log,
          dialect,
          journal,
          marker,
          ddl: s.ddl,
          progress,
          fault: deps.fault,
          runStart: report.binlog!.start,
          cancelled: () => cancelled,
        };
        progress.start(t);
        busy.add(c.db);
        try {
          const r = await flushTable(t, ctx);
          Object.assign(rep, { status: 'flushed', rows: r.rows, chunks: r.chunks, seconds: r.seconds });
          log.info(
            `${t.schema}.${t.table}: flushed ${r.rows} rows in ${r.chunks} chunk${r.chunks === 1 ? '' : 's'}, ${r.seconds.toFixed(2)}s`,
          );
        } catch (e) {
          busy.delete(c.db);
          rep.error = errorText(e);
          log.error(rep.error);
          const cause = e instanceof TableError ? e.cause : e;
          const lost = connectionLost(cause);
          // Only this table is put back. The others go on, unless the server is gone, the journal
          // cannot be written, the run is cancelled, the table could not be put back, or the user
          // asked to stop at the first error.
          // After a cancel, a KILL QUERY sent to this session may still be on its way and would hit
          // the put-back: that runs on a fresh session, which no kill sent at the abort can reach.
          await putBack(t, lost || cancelled ? undefined : c.db, rep);
          if (lost || fileSystemError(cause) || cancelled || s.stopOnError || rep.status !== 'restored') {
            stopping = true;
            return;
          }
          log.warn(`${t.schema}.${t.table}: put back unflushed; going on with the other tables`);
          if (c.db.broken) await c.reconnect();
        } finally {
          busy.delete(c.db);
        }
      }
    } catch (e) {
      // Could not open a worker connection: nothing of ours was changed by it.
      stopping = true;
      log.error(`worker connection failed: ${errorText(e)}`);
    } finally {
      await conn?.db.close();
    }
  };
  try {
    const n = Math.max(1, Math.min(s.concurrency, plan.length));
    await Promise.all(Array.from({ length: n }, (_, i) => worker(i + 1)));
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
  }
  await dropParkedTwins(run);
  for (const rep of report.tables) {
    if (rep.status === 'planned') rep.status = cancelled ? 'cancelled' : 'not-started';
  }
  if (cancelled) report.cancelled = true;
}

/** schema\0table of every table a journal shows finished (twin dropped, table back). */
export function finishedTables(j: JournalState): Set<string> {
  return new Set(j.tables.filter((t) => j.done.has(t.id)).map((t) => `${t.schema}\u0000${t.table}`));
}

/** Twins dropped per statement at the end of a run. */
const DROP_BATCH = 100;

/**
 * Drop the twins of the flushed tables, parked under their own names since the swap back, in a few
 * statements. A twin that cannot be dropped leaves its table in place but is a leftover that blocks
 * the next run: the run then asks for `recover`, which drops it.
 */
async function dropParkedTwins(run: RunContext): Promise<void> {
  const { control, plan, report, journal, marker, deps } = run;
  const parked = plan.filter((t) => report.tables[t.id - 1]!.status === 'flushed');
  if (parked.length) await deps.fault?.('drop-twins');
  for (let i = 0; i < parked.length; i += DROP_BATCH) {
    const batch = parked.slice(i, i + DROP_BATCH);
    try {
      await Promise.all(
        batch.map((t) => journal.write({ type: 'step', id: t.id, step: 'drop-twin', at: iso() })),
      );
      await dropOurTwins(
        control,
        batch.map((t) => ({ schema: t.schema, table: t.twin })),
        marker,
      );
    } catch (e) {
      report.parkedTwinsLeft = (report.parkedTwinsLeft ?? 0) + batch.length;
      deps.log.error(`could not drop ${batch.length} parked twin(s): ${errorText(e)}`);
    }
  }
}
