/**
 * The flush, start to end: preflight -> plan -> journal -> hold the server (read_only, applier
 * stopped) -> the tables through the scheduler and the worker pool -> coordinates -> put the server
 * back -> report. On any failure the tables that are set aside are put back before returning; what
 * cannot be put back is named with the recover command.
 */
import { connect, type Db } from '../db/connection.js';
import type { Dialect } from '../flavours/index.js';
import { claimWorkerSlot } from '../db/run-lock.js';
import { lockWaitFor, prepareSession } from '../db/session.js';
import { now } from '../model/time.js';
import { ExitCode, FlusherError, errorText } from '../model/errors.js';
import { namesOf } from '../model/input-names.js';
import { binlogBytesSince, binlogPosition } from '../inspect/binlog.js';
import { globalStatus } from '../inspect/server.js';
import { replicaStatus } from '../inspect/replication.js';
import { JournalWriter, readJournal } from '../journal/journal.js';
import { saveManifest } from '../journal/manifest.js';
import { gtidReport, gtidSessionSettings } from '../plan/gtid.js';
import { RunGtids, exactGtids } from './gtids.js';
import { ourEvents, type OurEvents } from '../inspect/our-events.js';
import type { Logger } from '../model/log.js';
import type { PlannedTable } from '../plan/plan.js';
import { DEFAULTS, type FlushSettings } from '../model/settings.js';
import { Writer } from './writer.js';
import { Controls } from './controls.js';
import { FamilyLocks } from './family-locks.js';
import { MAX_CHUNK_ATTEMPTS } from './copy.js';
import type { FaultHook } from './fault.js';
import { defaultHashfile, gtidLines, recoverCommand, type RunReport } from './report.js';
import { dropOurTables } from './restore.js';
import type { CopyContext } from './copy-context.js';
import { journalStart, planRun, type RunPlan } from './run-plan.js';
import { finishedRun, nothingToResume } from './resume-finished.js';
import { chunkPlanRecord } from './table-steps.js';
import { Scheduler } from './scheduler.js';
import { ServerHold } from './server-hold.js';
import { StatusBoard, type StatusSink, type StatusTotals } from './status.js';
import { measuredRetentionWarning } from '../plan/estimate.js';
import { runPool } from './workers.js';
import { ControlChannel } from './control-channel.js';
import { linkedAbort, startLiveControls } from './run-controls.js';

export { finishedTables, journalHeader } from './run-plan.js';

export interface FlushDeps {
  log: Logger;
  /** Where the status line goes (default: an info line in the log). */
  status?: StatusSink;
  /** When the process started, for start-to-first-chunk (default: performance.timeOrigin). */
  processStart?: number;
  toolVersion: string;
  signal?: AbortSignal;
  fault?: FaultHook;
  /** Called once the journal's header and plan are on disk, before the first change. */
  onJournalReady?: (path: string) => Promise<void>;
}

export async function flush(s: FlushSettings, deps: FlushDeps): Promise<RunReport> {
  // Issue 27 in progress: the inputs, the lag, the preflight, the decider and the journal records
  // exist, the windows themselves not yet. A dry run checks a replica for them; a real run is refused
  // rather than run with the applier stopped once, which the user did not ask for.
  if (s.windows && !s.dryRun) {
    const n = namesOf(s);
    const dry = n.surface === 'cli' ? 'run it with --dry-run' : 'run the action with mode: plan';
    throw new FlusherError(
      `${n.name('max-lag')}: a flush in windows is not built yet; ${dry} to check this replica for it, or drop ${n.name('max-lag')} to flush with the applier stopped once`,
      ExitCode.badInput,
    );
  }
  // A resume of a run that finished every table: nothing to flush, and nothing changes.
  const earlier = s.resumeFrom
    ? readJournal(s.resumeFrom, undefined, { journal: namesOf(s).name('resume') })
    : undefined;
  const db = await connect(s.connection, s.timeout);
  try {
    if (earlier && finishedRun(earlier)) return await nothingToResume(db, s, earlier, deps.log);
    return await flushWith(db, s, deps);
  } finally {
    await db.close();
  }
}

/** What the steps after the plan share. */
interface FlushContext extends RunPlan {
  control: Writer;
  settings: FlushSettings;
  deps: FlushDeps;
  journal: JournalWriter;
  /** The GTIDs the run's transactions got, as its workers read them. */
  gtids: RunGtids;
  /** Which binlog events are the run's own (read once, from the server and the settings). */
  ours: OurEvents;
  /** The live control channel (--control-file), opened when the run started. */
  channel?: ControlChannel;
  /** What the run holds of the server: the applier stopped, read_only / super_read_only. */
  hold: ServerHold;
}

async function flushWith(db: Db, s: FlushSettings, deps: FlushDeps): Promise<RunReport> {
  // Opened first: a command appended while the run prepares is carried out once the copy begins.
  const file = s.dryRun ? undefined : s.controls?.controlFile;
  const channel = file
    ? new ControlChannel(file, s.controls?.brakeStatus ?? DEFAULTS.brakeStatus, deps.log)
    : undefined;
  const planned = await planRun(db, s, deps.log);
  const { report } = planned;
  if (s.dryRun) {
    report.finishedAt = now();
    return report;
  }
  // The journal: header and the whole plan on disk before anything changes.
  const hashfile = s.hashfile ?? defaultHashfile(report.host, new Date());
  const journal = await JournalWriter.create(
    hashfile,
    journalStart(s, planned, deps.toolVersion),
    namesOf(s).name('hashfile'),
  );
  report.hashfile = hashfile;
  if (deps.fault) journal.afterWrite = () => deps.fault?.('journal');
  const control = new Writer(db, planned.pre.facts.dialect);
  const run: FlushContext = {
    ...planned,
    control,
    settings: s,
    deps,
    journal,
    gtids: new RunGtids(),
    ours: ourEvents(planned.pre.facts.serverId, s.gtid, planned.pre.facts.serverUuid),
    ...(channel && { channel }),
    hold: ServerHold.of(control, journal, deps.log),
  };
  try {
    if (deps.onJournalReady) await deps.onJournalReady(hashfile);
    await deps.log.group('Replication', () => holdServer(run));
    report.binlog = { start: await binlogPosition(db, run.control.dialect) };
    await journal.write({ type: 'binlog', edge: 'start', at: now(), position: report.binlog.start });
    // A resumed table's earlier chunks are on record from the start, whether or not this run reaches it.
    for (const t of run.plan) {
      const rec = t.resumed && chunkPlanRecord(t, t.resumed.plan, report.binlog.start);
      if (rec) await journal.write(rec);
    }
    const workers = Math.max(1, s.concurrency);
    await deps.log.group(`Flush (${run.plan.length} tables, ${workers} workers)`, () =>
      runTables(run, workers),
    );
    // The tables are settled; what follows must not hide their status if the server stops answering.
    finishStatus(report, s);
    await releaseServer(run);
    // The outcome is settled and reported whether or not this last record reaches the disk.
    await journal
      .write({
        type: 'end',
        status:
          report.status === 'planned' || report.status === 'nothing-to-flush' ? 'flushed' : report.status,
        at: now(),
      })
      .catch((e: unknown) => deps.log.warn(`journal: could not write the end record: ${errorText(e)}`));
    report.manifest = saveManifest(hashfile, (w) => deps.log.warn(w));
    if (report.manifest) deps.log.info(`manifest: ${report.manifest}`);
    report.finishedAt = now();
    return report;
  } finally {
    await journal.close().catch((e: unknown) => deps.log.warn(`journal: ${errorText(e)}`));
  }
}

/**
 * read_only ON / super_read_only OFF (journaled first), the applier stopped, its position noted, a
 * new binlog file if asked.
 */
async function holdServer(run: FlushContext): Promise<void> {
  const { control, settings: s, report, pre, hold } = run;
  const { log } = run.deps;
  if (s.setReadOnly) {
    const held = await hold.holdReadOnly();
    if (held.length) report.settings = held;
  }
  if (pre.replica && s.replication.stopReplica) {
    await hold.stop();
    report.replica.stopped = true;
    report.replica.startWith = `${control.dialect.startReplica};`;
  }
  const after = pre.replica ? await replicaStatus(control.db, control.dialect) : undefined;
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
    await control.rotateBinlog();
    log.info('started a new binlog file');
  }
}

/**
 * Preflight's retention check again at the rate measured so far, once: a run slower than assumed
 * may end too late for the binlog's expiry. Only when preflight did not warn already.
 */
function retentionWatch(run: FlushContext): (t: StatusTotals) => void {
  const { report, settings: s, deps } = run;
  let warned = report.warnings.some((w) => w.startsWith('binlog retention'));
  return (t) => {
    if (warned) return;
    const w = measuredRetentionWarning(
      run.retention,
      t,
      s.retentionMarginHours ?? DEFAULTS.retentionMarginHours,
      run.pre.facts.dialect.version.flavour,
      namesOf(s).name('retention-margin'),
    );
    if (!w) return;
    warned = true;
    report.warnings.push(w);
    deps.log.warn(w);
  };
}

/** The end coordinates, read_only / super_read_only and the applier back (only once every table is back). */
async function releaseServer(run: FlushContext): Promise<void> {
  const { control, settings: s, report, pre } = run;
  const { log } = run.deps;
  const warn = (text: string) => {
    report.warnings.push(text);
    log.warn(text);
  };
  try {
    const end = await binlogPosition(control.db, control.dialect);
    report.binlog!.end = end;
    const start = report.binlog!.start;
    const gtidsOn = pre.facts.gtidOn || pre.facts.dialect.gtidsAlwaysOn;
    const exact = gtidsOn ? await exactGtids(control.db, run.gtids, start, run.plan, run.ours) : undefined;
    if (exact?.unread) warn(exact.unread);
    const gtids = exact?.gtids;
    const set = gtids && pre.facts.dialect.gtidSetOf(gtids);
    await run.journal.write({
      type: 'binlog',
      edge: 'end',
      at: now(),
      position: end,
      ...(set && { gtids: set }),
    });
    if (gtids) {
      report.gtid = gtidReport(pre.facts.dialect, s.gtid, gtids, {
        serverId: pre.facts.serverId,
        endFile: end.file,
        domainInput: namesOf(s).name('gtid-domain-id'),
      });
      // Said once, in the result (the CLI) and the job summary (the action); here only with --verbose.
      for (const line of gtidLines(report.gtid)) log.debug(line);
    }
  } catch (e) {
    warn(`could not read the binlog position after the flush: ${errorText(e)}`);
  }
  const release = run.hold.decide({
    tablesBack: report.status !== 'recovery-needed',
    replica: pre.replica !== undefined,
    startReplica: s.replication.startReplica,
    startOwnStop: false,
  });
  if (!release.putBack) return;
  const held = run.hold.settings;
  if (held.length) {
    try {
      report.settings = await run.hold.putBack();
    } catch (e) {
      warn(
        `could not put ${held.map((h) => `${h.name} back to ${h.from}`).join(' and ')}: ${errorText(e)}; \`binlog-flusher recover\` with the journal does it`,
      );
    }
  }
  if (release.startApplier) {
    try {
      await run.hold.release();
      report.replica.started = true;
    } catch (e) {
      warn(`could not start the replica applier again: ${errorText(e)}; start it by hand`);
    }
  }
}

function finishStatus(report: RunReport, s: FlushSettings): void {
  const needsRecovery = report.parkedTwinsLeft || report.tables.some((t) => t.status === 'needs-recovery');
  if (needsRecovery) {
    report.status = 'recovery-needed';
    report.exitCode = ExitCode.recoveryNeeded;
    report.recoverCommand = recoverCommand(s, report.hashfile ?? '');
  } else if (report.tables.some((t) => t.status !== 'flushed')) {
    report.status = 'failed-restored';
    report.exitCode = ExitCode.failedRestored;
  } else {
    report.status = 'flushed';
    report.exitCode = ExitCode.ok;
  }
}

/** A worker session: prepared like the control session, and marked as part of this run (run-lock.ts). */
export async function openWorker(s: FlushSettings, d: Dialect, slot = 1): Promise<Db> {
  const db = await connect(s.connection, s.timeout);
  try {
    const problems = await prepareSession(db, d, lockWaitFor(s.timeout), gtidSessionSettings(s, d));
    if (problems.length) throw new Error(`session setup failed: ${problems.map((p) => p.error).join('; ')}`);
    await claimWorkerSlot(db, slot);
    return db;
  } catch (e) {
    await db.close();
    throw e;
  }
}

/** The tables through the scheduler and the worker pool; the status line while they run. */
async function runTables(run: FlushContext, workers: number): Promise<void> {
  const { control, plan, report, settings: s, deps } = run;
  const controls = s.controls ?? {
    brakeStatus: DEFAULTS.brakeStatus,
    statusInterval: DEFAULTS.statusInterval,
  };
  // Largest first: the long tables start early and the small ones fill the gaps.
  const order = [...plan].sort((a, b) => b.bytesEstimate - a.bytesEstimate || a.id - b.id).map((t) => t.id);
  let cancelled = false;
  const start = report.binlog!.start;
  const status = new StatusBoard(
    plan,
    deps.status ?? { line: (text) => deps.log.info(text) },
    controls.statusInterval * 1000,
    () => binlogBytesSince(control.db, start),
    deps.processStart ?? performance.timeOrigin,
    retentionWatch(run),
    () => shared.controls.holding(),
  );
  const shared: CopyContext = {
    log: deps.log,
    dialect: control.dialect,
    journal: run.journal,
    marker: run.marker,
    ddl: s.ddl,
    fault: deps.fault,
    runStart: start,
    ours: run.ours,
    scheduler: new Scheduler(order, {
      maxAside: s.maxTablesAside ?? s.concurrency,
      maxAttempts: MAX_CHUNK_ATTEMPTS,
    }),
    tables: new Map(plan.map((t) => [t.id, t])),
    controls: new Controls(
      controls,
      (name) => globalStatus(control.db, name),
      deps.log,
      () => cancelled,
    ),
    status,
    cancelled: () => cancelled,
    cancel: () => (cancelled = true),
    lostSessions: new Map(),
    tableStarts: new Map(),
    stepsSeen: new Map(),
    families: new FamilyLocks(run.families),
    gtids: run.gtids,
  };
  status.start();
  const abort = linkedAbort(deps.signal);
  const live = startLiveControls({
    channel: run.channel,
    run: shared,
    status,
    abort,
    db: control.db,
    journal: run.journal,
    log: deps.log,
  });
  try {
    await runPool(shared, {
      workers,
      control,
      signal: abort.signal,
      stopOnError: s.stopOnError,
      open: (slot) => openWorker(s, control.dialect, slot),
      reports: new Map(plan.map((t) => [t.id, report.tables[t.id - 1]!])),
    });
  } finally {
    await live.stop();
  }
  if (typeof abort.signal.reason === 'string' && abort.signal.reason !== 'cancelled')
    report.stopReason = abort.signal.reason;
  report.copy = { ...(await status.stop()), workers, ...shared.controls.heldTotals() };
  await dropParkedTwins(run);
  for (const rep of report.tables) {
    if (rep.status === 'planned') rep.status = cancelled ? 'cancelled' : 'not-started';
  }
  if (cancelled) report.cancelled = true;
}

/** Twins dropped per statement at the end of a run. */
const DROP_BATCH = 100;

/**
 * Drop the twins of the flushed tables, parked under their own names since the swap back, in a few
 * statements. A twin that cannot be dropped leaves its table in place but is a leftover that blocks
 * the next run: the run then asks for `recover`, which drops it.
 */
async function dropParkedTwins(run: FlushContext): Promise<void> {
  const { control, plan, report, journal, marker, deps } = run;
  const parked = plan.filter((t: PlannedTable) => report.tables[t.id - 1]!.status === 'flushed');
  if (parked.length) await deps.fault?.('drop-twins');
  for (let i = 0; i < parked.length; i += DROP_BATCH) {
    const batch = parked.slice(i, i + DROP_BATCH);
    try {
      await Promise.all(
        batch.map((t) => journal.write({ type: 'step', id: t.id, step: 'drop-twin', at: now() })),
      );
      const refused = await dropOurTables(
        control,
        batch.map((t) => ({ schema: t.schema, table: t.twin, proven: true })),
        marker,
      );
      for (const r of refused) {
        report.parkedTwinsLeft = (report.parkedTwinsLeft ?? 0) + 1;
        deps.log.error(`could not drop the parked twin ${r.table.schema}.${r.table.table}: ${r.why}`);
      }
    } catch (e) {
      report.parkedTwinsLeft = (report.parkedTwinsLeft ?? 0) + batch.length;
      deps.log.error(`could not drop ${batch.length} parked twin(s): ${errorText(e)}`);
    }
  }
}
