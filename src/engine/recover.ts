/**
 * `recover`: replay a journal against the live server, table by table, doing only what each live
 * state needs. A second run changes nothing.
 */
import { connect } from '../db/connection.js';
import { lockWaitFor, prepareSession } from '../db/session.js';
import { ExitCode, FlusherError, errorText } from '../errors.js';
import { readServer, replicaStatus } from '../inspect/inspector.js';
import { JournalWriter, readJournal, type JournalState } from '../journal/journal.js';
import type { Logger } from '../log.js';
import type { RecoverSettings } from '../settings.js';
import { restoreTable, type RestoreOutcome } from './restore.js';

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
  replica: { stopped: boolean; started: boolean };
}

function selected(s: RecoverSettings, schema: string, table: string): boolean {
  const sel = s.selection;
  if (sel.databases.length && !sel.databases.includes(schema)) return false;
  if (sel.skip.includes(schema)) return false;
  if (sel.tables.length && !sel.tables.some((f) => f.table === table && (!f.schema || f.schema === schema)))
    return false;
  return true;
}

export async function recover(s: RecoverSettings, deps: { log: Logger }): Promise<RecoverReport> {
  const { log } = deps;
  const legacySchema = s.selection.databases.length === 1 ? s.selection.databases[0] : undefined;
  const journal: JournalState = readJournal(s.hashfile, legacySchema);
  const db = await connect(s.connection, s.timeout);
  const report: RecoverReport = {
    status: 'recovered',
    exitCode: ExitCode.ok,
    hashfile: s.hashfile,
    tables: [],
    replica: { stopped: false, started: false },
  };
  try {
    const facts = await readServer(db);
    if (journal.header && facts.serverId !== journal.header.serverId) {
      throw new FlusherError(
        `--hashfile: ${s.hashfile} was written on server_id ${journal.header.serverId} (${journal.header.host}), ` +
          `but ${s.connection.host} has server_id ${facts.serverId}; recover against the server that ran the flush`,
        ExitCode.badInput,
      );
    }
    const problems = await prepareSession(db, lockWaitFor(s.timeout));
    if (problems.length)
      throw new FlusherError(
        `cannot prepare the session: ${problems.map((p) => p.error).join('; ')}`,
        ExitCode.preflightRefused,
      );
    const d = facts.dialect;
    const replica = await replicaStatus(db, d).catch(() => undefined);
    if (replica?.sqlRunning && s.replication.stopReplica && !s.dryRun) {
      await db.exec(d.version.flavour === 'mariadb' ? 'STOP ALL SLAVES' : d.stopReplica);
      report.replica.stopped = true;
      log.info('replica applier stopped');
    } else if (replica?.sqlRunning) {
      log.warn(
        'the replica applier is running while tables may be set aside; replicated writes may go into a BLACKHOLE twin',
      );
    }
    const writer = s.dryRun || journal.legacy ? undefined : JournalWriter.append(s.hashfile);
    try {
      for (const t of journal.tables) {
        if (!selected(s, t.schema, t.table)) continue;
        const name = `${t.schema}.${t.table}`;
        if (s.dryRun) {
          report.tables.push({
            schema: t.schema,
            table: t.table,
            outcome: 'already-restored',
            ok: true,
            detail: 'dry run: not checked',
          });
          continue;
        }
        try {
          const r = await restoreTable(t, {
            db,
            marker: journal.marker,
            shellMayExist: journal.steps.has(t.id) || journal.legacy,
            keepPartitions: d.blackholePartitions,
            log,
          });
          report.tables.push({ schema: t.schema, table: t.table, ...r });
          await writer?.write({
            type: 'recover',
            id: t.id,
            outcome: r.outcome,
            at: new Date().toISOString(),
          });
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
      const allOk = report.tables.every((t) => t.ok);
      if (!allOk) {
        report.status = 'incomplete';
        report.exitCode = ExitCode.recoveryNeeded;
      } else if (writer) {
        await writer.write({ type: 'end', status: 'recovered', at: new Date().toISOString() });
      }
    } finally {
      writer?.close();
    }
    if (report.status === 'recovered' && s.replication.startReplica && replica && !s.dryRun) {
      await db.exec(d.version.flavour === 'mariadb' ? 'START ALL SLAVES' : d.startReplica);
      report.replica.started = true;
      log.info('replica applier started');
    }
    return report;
  } finally {
    await db.close();
  }
}

export function formatRecoverReport(r: RecoverReport): string {
  const lines = [
    `Recovery: ${r.status} (${r.tables.filter((t) => t.ok).length} of ${r.tables.length} tables in place)`,
  ];
  for (const t of r.tables)
    lines.push(`  ${t.schema}.${t.table}: ${t.outcome}${t.ok ? '' : ' (NOT restored)'}: ${t.detail}`);
  return lines.join('\n');
}
