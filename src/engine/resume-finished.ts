/**
 * `--resume J` where run J finished every table it selected: nothing to flush. Nothing changes on
 * the server (no journal, no read_only change, the applier left as it is), and the result says so.
 * The one thing such a run may do is the end-of-run switch the user gave to this run: start a stopped
 * applier (`--start-slave`), and only where that is safe: no other run holds the server, no table of
 * J is set aside (no twin holds a name), no table of any run is left under our names, and the replica
 * status can be read. Otherwise it refuses, changing nothing.
 */
import type { Db } from '../db/connection.js';
import { acquireRunLock } from '../db/run-lock.js';
import { lockWaitFor, prepareSession } from '../db/session.js';
import { ExitCode, FlusherError, InputError, PreflightError, errorText } from '../model/errors.js';
import type { PreflightFailure } from '../model/errors.js';
import { namesOf } from '../model/input-names.js';
import { now } from '../model/time.js';
import type { Logger } from '../model/log.js';
import { selectsTable, type FlushSettings } from '../model/settings.js';
import { isLeftoverName } from '../model/table-names.js';
import { tableState, type JournalState } from '../journal/journal.js';
import { readServer, type ServerFacts } from '../inspect/server.js';
import { replicaStatus, type ReplicaStatus } from '../inspect/replication.js';
import { listTables } from '../inspect/tables.js';
import { tablesAside } from './restore.js';
import { Writer } from './writer.js';
import { ServerHold } from './server-hold.js';
import type { RunReport } from './report.js';

/** Whether run J finished every table it selected (its plan's, and those its own resumed run had). Pure. */
export function finishedRun(j: JournalState): boolean {
  return (
    !j.legacy && j.header !== undefined && j.tables.every((t) => tableState(j, t.id).flushed !== undefined)
  );
}

/** The result of a resume with nothing to flush; starts the applier only when asked and safe. */
export async function nothingToResume(
  db: Db,
  s: FlushSettings,
  earlier: JournalState,
  log: Logger,
): Promise<RunReport> {
  const n = namesOf(s);
  const journal = s.resumeFrom!;
  const facts = await readServer(db);
  if (earlier.header && earlier.header.serverId !== facts.serverId) {
    throw new InputError(
      n.name('resume'),
      `${journal} is the journal of a run on server_id ${earlier.header.serverId} (${earlier.header.host}); this server's is ${facts.serverId}: resume against the server that ran it`,
    );
  }
  const problems = await prepareSession(db, facts.dialect, lockWaitFor(s.timeout));
  if (problems.length)
    throw new FlusherError(
      `cannot prepare the session: ${problems.map((p) => p.error).join('; ')}`,
      ExitCode.preflightRefused,
    );
  const report = emptyReport(s, facts, earlier);
  const ask = s.replication.startReplica && (s.chosen ?? []).includes('start-replica') && !s.dryRun;
  let unread = false;
  const replica = await replicaStatus(db, facts.dialect).catch((e: unknown) => {
    if (ask) throw refusal(n, cannotRead(e, facts));
    report.warnings.push(`the replica status could not be read: ${errorText(e)}`);
    unread = true;
    return undefined;
  });
  // A status that could not be read says nothing of whether this is a replica.
  report.replica.wasReplica = replica !== undefined;
  report.nothing!.applier = unread ? 'unknown' : applierState(replica);
  if (report.nothing!.applier === 'stopped') report.replica.startWith = `${facts.dialect.startReplica};`;
  if (ask && replica && !(replica.sqlRunning && replica.ioRunning)) {
    await startIfSafe(db, s, earlier, facts, log);
    report.replica.started = true;
    delete report.replica.startWith;
    report.nothing!.applier = 'started';
    report.nothing!.reason = report.nothing!.reason.replace(
      'read_only and the applier left as they were',
      `read_only left as it was; the applier started (${n.on('start-replica')})`,
    );
  }
  for (const w of await notInThatRun(db, s, earlier)) report.warnings.push(w);
  if (earlier.settings.size)
    report.warnings.push(
      `${[...earlier.settings.keys()].join(' and ')} is still as the run of ${journal} set it: \`binlog-flusher recover\` with its journal puts it back`,
    );
  for (const w of report.warnings) log.warn(w);
  log.info(`nothing to flush: ${report.nothing!.reason}`);
  report.finishedAt = now();
  return report;
}

function applierState(r: ReplicaStatus | undefined): NonNullable<RunReport['nothing']>['applier'] {
  if (!r) return 'not-a-replica';
  return r.sqlRunning ? 'running' : 'stopped';
}

function cannotRead(e: unknown, facts: ServerFacts): PreflightFailure {
  return {
    check: 'replica-status',
    message: `cannot read the replica status, so the applier is not started: ${errorText(e)}`,
    fix: `grant the flush user ${facts.dialect.privileges.replicaStatus}, or start the applier yourself (${facts.dialect.startReplica})`,
  };
}

function refusal(n: ReturnType<typeof namesOf>, f: PreflightFailure): PreflightError {
  return new PreflightError([{ ...f, message: `${n.on('start-replica')}: ${f.message}` }]);
}

/**
 * Start the applier under the run lock, once the server shows no table of the journal set aside and
 * no table of any run under our names; refuses (changing nothing) otherwise.
 */
async function startIfSafe(
  db: Db,
  s: FlushSettings,
  earlier: JournalState,
  facts: ServerFacts,
  log: Logger,
): Promise<void> {
  const n = namesOf(s);
  const lock = await acquireRunLock(db, s.lockWait, log, n);
  if (lock) throw refusal(n, lock);
  const aside = await tablesAside(db, earlier.tables, earlier.marker);
  const left = (await listTables(db)).filter((t) => isLeftoverName(t.name));
  const held = [
    ...aside.map((t) => `${t.schema}.${t.table} (set aside by that run)`),
    ...left.map((t) => `${t.schema}.${t.name}`),
  ];
  // The hold is the one owner of the applier: it decides (never while a twin holds a name) and starts.
  const hold = ServerHold.of(new Writer(db, facts.dialect), undefined, log);
  const plan = hold.decide({
    tablesBack: held.length === 0,
    replica: true,
    startReplica: true,
    startOwnStop: false,
  });
  if (!plan.startApplier) {
    throw refusal(n, {
      check: 'start-replica',
      message: `the applier is not started: tables of a run are on the server under its names: ${held.slice(0, 5).join(', ')}${held.length > 5 ? ` and ${held.length - 5} more` : ''}`,
      fix: `run \`binlog-flusher recover\` with that run's journal first; it starts the applier once every table is back`,
    });
  }
  await hold.release();
  log.info(`every table of the run is back: the applier was started as ${n.on('start-replica')} asks`);
}

/** Tables the selection finds now that run J did not have: a resume of J does not flush them. */
async function notInThatRun(db: Db, s: FlushSettings, earlier: JournalState): Promise<string[]> {
  const had = new Set([...earlier.tables.map((t) => `${t.schema}\u0000${t.table}`), ...earlier.doneBefore]);
  const schemas = s.selection.databases.length ? s.selection.databases : undefined;
  const now = (await listTables(db, schemas)).filter(
    (t) =>
      t.type === 'BASE TABLE' &&
      !isLeftoverName(t.name) &&
      selectsTable(s.selection, t.schema, t.name) &&
      !had.has(`${t.schema}\u0000${t.name}`),
  );
  if (!now.length) return [];
  const names = now.map((t) => `${t.schema}.${t.name}`);
  return [
    `${names.length} table(s) of the selection were not in the run of ${s.resumeFrom} and are not flushed by resuming it: ` +
      `${names.slice(0, 5).join(', ')}${names.length > 5 ? ` and ${names.length - 5} more` : ''}; start a new run (without ${namesOf(s).name('resume')}) for them`,
  ];
}

function emptyReport(s: FlushSettings, facts: ServerFacts, earlier: JournalState): RunReport {
  const at = now();
  const finished = [
    ...[...earlier.doneBefore].map((k) => k.split('\u0000') as [string, string]),
    ...earlier.tables.map((t) => [t.schema, t.table] as [string, string]),
  ];
  return {
    status: 'nothing-to-flush',
    exitCode: ExitCode.ok,
    host: s.connection.socket ? 'localhost' : s.connection.host,
    port: s.connection.port,
    serverId: facts.serverId,
    serverVersion: facts.dialect.version.text,
    startedAt: at,
    finishedAt: at,
    tables: [],
    skipped: finished.map(([schema, table]) => ({
      schema,
      table,
      reason: `already flushed by the run of ${s.resumeFrom}`,
    })),
    warnings: [],
    replica: { wasReplica: false, stopped: false, started: false },
    nothing: {
      reason: `the run of ${s.resumeFrom} finished every table it selected (${finished.length}); nothing was changed: no journal written, read_only and the applier left as they were`,
      resumed: s.resumeFrom!,
      applier: 'not-a-replica',
    },
  };
}
