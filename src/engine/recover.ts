/**
 * `recover`: replay a journal against the live server, table by table, doing only what each live
 * state needs. A second run changes nothing. It holds the server's run lock and the journal's lock,
 * so it never works under a flush (or another recover) that is still alive.
 */
import { connect, type Db } from '../db/connection.js';
import type { Dialect } from '../flavours/index.js';
import { acquireRunLock } from '../db/run-lock.js';
import { lockWaitFor, prepareSession } from '../db/session.js';
import { ExitCode, FlusherError, PreflightError, errorText } from '../model/errors.js';
import { readServer } from '../inspect/server.js';
import { replicaStatus, type ReplicaStatus } from '../inspect/replication.js';
import { binlogPosition } from '../inspect/binlog.js';
import { JournalWriter, readJournal, tableState, type JournalState } from '../journal/journal.js';
import type { Logger } from '../model/log.js';
import { namesOf } from '../model/input-names.js';
import { now } from '../model/time.js';
import { selectsTable, type RecoverSettings } from '../model/settings.js';
import { restoreTable, tablesAside, type RestoreOutcome } from './restore.js';
import { Writer } from './writer.js';
import { accountUnfinished, countsAfterKill } from './recover-account.js';
import type { FaultHook } from './fault.js';
import { describeSetting, type SettingReport } from './server-settings.js';
import { ServerHold, heldIn } from './server-hold.js';
import { decideWindowRecovery, type WindowRecoverPlan } from './window-recover.js';

export interface RecoverTableReport {
  schema: string;
  table: string;
  outcome: RestoreOutcome | 'error';
  ok: boolean;
  detail: string;
}

export interface RecoverReport {
  status: 'recovered' | 'incomplete';
  exitCode: number;
  hashfile: string;
  tables: RecoverTableReport[];
  /** Whether the server is a replica, and what recover did to its applier (it stops it only while a table is aside). */
  replica: { wasReplica?: boolean; stopped: boolean; started: boolean };
  /** Server settings the flush changed, put back once every table is in place. */
  settings: SettingReport[];
}

export async function recover(
  s: RecoverSettings,
  deps: { log: Logger; fault?: FaultHook },
): Promise<RecoverReport> {
  const { log } = deps;
  const legacySchema = s.selection.databases.length === 1 ? s.selection.databases[0] : undefined;
  const n = namesOf(s);
  const inputs = { journal: n.name('hashfile'), schema: n.name('databases') };
  // Read once before connecting: a bad journal is bad input, refused before anything else.
  const first = readJournal(s.hashfile, legacySchema, inputs);
  const db = await connect(s.connection, s.timeout);
  try {
    const facts = await readServer(db);
    if (first.header && facts.serverId !== first.header.serverId) {
      throw new FlusherError(
        `${inputs.journal}: ${s.hashfile} was written on server_id ${first.header.serverId} (${first.header.host}), ` +
          `but ${s.connection.host} has server_id ${facts.serverId}; recover against the server that ran the flush`,
        ExitCode.badInput,
      );
    }
    const problems = await prepareSession(db, facts.dialect, lockWaitFor(s.timeout));
    if (problems.length)
      throw new FlusherError(
        `cannot prepare the session: ${problems.map((p) => p.error).join('; ')}`,
        ExitCode.preflightRefused,
      );
    if (s.dryRun) return dryRunReport(s, first);
    // One actor per server, then one writer per journal; the journal is read again under both.
    const lock = await acquireRunLock(db, s.lockWait, log, namesOf(s));
    if (lock) throw new PreflightError([lock]);
    const writer = first.legacy
      ? undefined
      : await JournalWriter.append(s.hashfile, undefined, inputs.journal);
    if (writer && deps.fault) writer.afterWrite = () => deps.fault?.('journal');
    try {
      if (writer?.trimmed) {
        log.warn(
          `journal: cut off a torn last record (${writer.trimmed} bytes) that a crash left; nothing it announced was done`,
        );
      }
      const journal = writer ? readJournal(s.hashfile, undefined, inputs) : first;
      return await replay(db, facts.dialect, journal, writer, s, log, deps.fault);
    } finally {
      await writer?.close();
    }
  } finally {
    await db.close();
  }
}

function emptyReport(s: RecoverSettings): RecoverReport {
  return {
    status: 'recovered',
    exitCode: ExitCode.ok,
    hashfile: s.hashfile,
    tables: [],
    replica: { stopped: false, started: false },
    settings: [],
  };
}

function dryRunReport(s: RecoverSettings, journal: JournalState): RecoverReport {
  const report = emptyReport(s);
  for (const t of journal.tables.filter((x) => selectsTable(s.selection, x.schema, x.table))) {
    report.tables.push({
      schema: t.schema,
      table: t.table,
      outcome: 'already-restored',
      ok: true,
      detail: 'dry run: not checked',
    });
  }
  return report;
}

/** Put back every selected table of the journal, under the run lock. */
async function replay(
  db: Db,
  d: Dialect,
  journal: JournalState,
  writer: JournalWriter | undefined,
  s: RecoverSettings,
  log: Logger,
  fault?: FaultHook,
): Promise<RecoverReport> {
  const report = emptyReport(s);
  const writes = new Writer(db, d);
  // The run's held settings are taken over: put back with recover's own once every table is back.
  const hold = ServerHold.of(writes, writer, log, heldIn(journal));
  const tables = journal.tables.filter((t) => selectsTable(s.selection, t.schema, t.table));
  // Read before holdApplier stops anything: whether the applier ran when the run was killed.
  const windows = await windowRecovery(writes, journal, log, fault);
  await holdApplier(writes, hold, report, tables, journal.marker, s, log, fault);
  await hold.holdForRecovery(journal.tables);
  for (const t of tables) {
    const name = `${t.schema}.${t.table}`;
    try {
      const r = await restoreTable(t, {
        writes,
        marker: journal.marker,
        seen: tableState(journal, t.id).seen,
        log,
      });
      report.tables.push({ schema: t.schema, table: t.table, ...r });
      await writer?.write({ type: 'recover', id: t.id, outcome: r.outcome, at: now() });
      (r.ok ? log.info : log.error)(`${name}: ${r.outcome}: ${r.detail}`);
    } catch (e) {
      report.tables.push({
        schema: t.schema,
        table: t.table,
        outcome: 'error',
        ok: false,
        detail: errorText(e),
      });
      log.error(`${name}: ${errorText(e)}`);
    }
  }
  const left = await leftOutAside(db, journal, tables);
  const release = hold.decide({
    tablesBack: report.tables.every((t) => t.ok) && !left.length,
    replica: report.replica.wasReplica === true,
    // A flush in windows stopped the applier only for its windows: its stop is undone as recover's own.
    startReplica: s.replication.startReplica || windows?.startApplier === true,
    startOwnStop: true,
  });
  if (!release.putBack) {
    report.status = 'incomplete';
    report.exitCode = ExitCode.recoveryNeeded;
    if (left.length)
      log.warn(
        `${left.length} table(s) of the journal outside this selection are still set aside: ${left
          .slice(0, 5)
          .map((t) => `${t.schema}.${t.table}`)
          .join(', ')}${left.length > 5 ? ` and ${left.length - 5} more` : ''}; ` +
          `the applier and the run's server settings stay as they are until they are back: run recover with the journal and no selection`,
      );
    const held = hold.settings;
    if (held.length) {
      log.warn(`${held.map((h) => h.name).join(', ')} stays as the run set it until every table is back`);
    }
    return report;
  }
  report.settings = await hold.putBack();
  // Where the binlog stands with every table back and before the applier runs again: the end of what
  // the run wrote, for a `--resume` that counts its chunks there.
  const at = await binlogPosition(db, d).catch(() => undefined);
  // What the binlog holds of each table the run left part-copied, for the manifest and verify.
  if (at && writer && countsAfterKill(journal))
    await accountUnfinished(db, d, journal, tables, at, writer, log);
  await writer?.write({ type: 'end', status: 'recovered', at: now(), ...(at && { binlog: at }) });
  if (release.startApplier) {
    await hold.release('recover');
    report.replica.started = true;
  }
  return report;
}

/**
 * A flush in windows killed: what its last window record and the server say of the applier
 * (decideWindowRecovery); undefined for any other journal. Only the start is recover's to add: the
 * stop while a table is aside and the put-back are what recover does for every run.
 */
async function windowRecovery(
  writes: Writer,
  journal: JournalState,
  log: Logger,
  fault?: FaultHook,
): Promise<WindowRecoverPlan | undefined> {
  if (!journal.window || journal.flushEnd !== undefined) return undefined;
  const replica = await readReplicaStatus(writes, fault);
  const aside = await tablesAside(writes.db, journal.tables, journal.marker);
  const plan = decideWindowRecovery({
    window: journal.window,
    ended: false,
    tablesAside: aside.length > 0,
    applierRunning: replica?.sqlRunning === true,
  });
  if (plan) log.info(`flush in windows: ${plan.note}`);
  return plan;
}

/**
 * The journal's tables a selection (--db, --table, --skip) left out that are still set aside: while
 * one is, a twin may hold its name, so neither the applier nor the run's settings may be put back.
 */
async function leftOutAside(
  db: Db,
  journal: JournalState,
  selected: JournalState['tables'],
): Promise<{ schema: string; table: string }[]> {
  const others = journal.tables.filter((t) => !selected.includes(t));
  return tablesAside(db, others, journal.marker);
}

/**
 * The replica status, or undefined where the server is not a replica. A status that cannot be read
 * is a refusal, before recover changes anything: taking it for "not a replica" would put tables
 * back under a running applier, whose writes a twin still under a name would swallow.
 */
async function readReplicaStatus(writes: Writer, fault?: FaultHook): Promise<ReplicaStatus | undefined> {
  try {
    await fault?.('replica-status');
    return await replicaStatus(writes.db, writes.dialect);
  } catch (e) {
    throw new FlusherError(
      `cannot read the replica status: ${errorText(e)}; ` +
        'recover changed nothing: it must know whether a replica applier runs before it puts a table back; ' +
        `grant the recover user ${writes.dialect.privileges.replicaStatus} (or fix what stopped the read) and run recover again`,
      ExitCode.recoveryNeeded,
      { cause: e },
    );
  }
}

/**
 * The applier is stopped only while a table is set aside (a twin under its name would swallow what
 * the applier writes), and only when it runs; recover starts it again once every table is back.
 */
async function holdApplier(
  writes: Writer,
  hold: ServerHold,
  report: RecoverReport,
  tables: JournalState['tables'],
  marker: string | undefined,
  s: RecoverSettings,
  log: Logger,
  fault?: FaultHook,
): Promise<void> {
  const replica = await readReplicaStatus(writes, fault);
  report.replica.wasReplica = replica !== undefined;
  if (!replica?.sqlRunning) return;
  const aside = await tablesAside(writes.db, tables, marker);
  if (!aside.length) {
    log.info('the replica applier is left running: no table of the journal is set aside');
    return;
  }
  const which = `${aside.length} table(s) set aside, ${aside[0]!.schema}.${aside[0]!.table} first`;
  if (!s.replication.stopReplica) {
    log.warn(
      `the replica applier is running with ${which}; replicated writes to them may go into a BLACKHOLE twin`,
    );
    return;
  }
  await hold.stop(which);
  report.replica.stopped = true;
}

export function formatRecoverReport(r: RecoverReport): string {
  const lines = [
    `Recovery: ${r.status} (${r.tables.filter((t) => t.ok).length} of ${r.tables.length} tables in place)`,
  ];
  for (const t of r.tables)
    lines.push(`  ${t.schema}.${t.table}: ${t.outcome}${t.ok ? '' : ' (NOT restored)'}: ${t.detail}`);
  for (const st of r.settings) lines.push(`  server setting ${describeSetting(st)}`);
  if (r.replica.wasReplica)
    lines.push(
      `  replica applier: ${r.replica.stopped ? 'stopped by recover' : 'not touched'}${r.replica.started ? (r.replica.stopped ? ', started again' : ', started') : r.replica.stopped ? ', left stopped (tables are not all back)' : ''}`,
    );
  return lines.join('\n');
}
