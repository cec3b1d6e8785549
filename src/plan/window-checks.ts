/**
 * What a flush in windows (`--max-lag`, issue 27) needs of the replica, checked by preflight only
 * when it is asked for: the facts are read by `readWindowFacts`, and `windowFailures` decides,
 * purely, every failure with a fix that exists.
 *
 * - A replica whose applier and receiver run: the flush starts the applier between windows, and the
 *   replica can only catch up with a receiver fetching (an applier the operator stopped stays his).
 * - The applier's changes in this replica's binlog (log_slave_updates / log_replica_updates): the
 *   live changes between windows are what a consumer gets after the rows.
 * - An applier that commits in the source's order (the flavour's CommitOrder rule).
 * - Coordinates a consumer can follow: positions always; GTIDs only when every transaction has one
 *   (MySQL's gtid_mode ON or OFF, not a migration's ON_PERMISSIVE / OFF_PERMISSIVE).
 * - The privilege to stop and start the applier, once per window.
 * - The lag, readable now (the server's figure, or the lag query answering one number).
 */
import type { Db } from '../db/connection.js';
import type { PreflightFailure } from '../model/errors.js';
import type { Names } from '../model/input-names.js';
import type { WindowSettings } from '../model/settings.js';
import type { Dialect, KindRefusal } from '../flavours/index.js';
import { globalVariables } from '../inspect/server.js';
import { readLag, type LagReading } from '../inspect/lag.js';
import type { ReplicaStatus } from '../inspect/replication.js';
import { gtidValue } from '../sql/reads.js';
import { str } from '../inspect/cells.js';

export interface WindowFacts {
  /** The replica status (undefined: not a replica). */
  replica: Pick<ReplicaStatus, 'sqlRunning' | 'ioRunning'> | undefined;
  /** The variable that binlogs the applier's changes, and its value (upper case; undefined: unknown). */
  logsApplied: { variable: string; value: string | undefined };
  /** Why the applier may commit out of the source's order (the flavour's rule), if so. */
  outOfOrder: KindRefusal | undefined;
  /** The GTID mode as the server says it (upper case). */
  gtidMode: string;
  /** Whether the user may stop and start the applier, and the privilege that lets it. */
  applierAdmin: { granted: boolean; privilege: string };
  /** The lag, read once now. */
  lag: LagReading;
  /** The lag came from the user's query (else the replica status). */
  lagQuery: boolean;
}

const ON = ['ON', '1'];

/** Every failure of a flush in windows on this replica, each with its fix. Pure. */
export function windowFailures(f: WindowFacts, n: Names): PreflightFailure[] {
  const out: PreflightFailure[] = [];
  const fail = (check: string, message: string, fix: string) => out.push({ check, message, fix });
  const drop = `or drop ${n.name('max-lag')} to flush with the applier stopped once`;
  if (!f.replica) {
    fail(
      'max-lag',
      'this server is not a replica: there is no applier to run between windows',
      `drop ${n.name('max-lag')}`,
    );
    return out;
  }
  if (!f.replica.sqlRunning)
    fail(
      'max-lag',
      'the replica applier (SQL thread) is stopped: a flush in windows starts it between windows, and an applier someone stopped is theirs to start',
      `start the applier first (the flush stops it for each window), ${drop}`,
    );
  if (!f.replica.ioRunning)
    fail(
      'max-lag',
      'the replica receiver (IO thread) is not running: between windows the replica cannot catch up with its source',
      `start the receiver first, ${drop}`,
    );
  if (f.logsApplied.value !== undefined && !ON.includes(f.logsApplied.value))
    fail(
      'max-lag',
      `${f.logsApplied.variable} is ${f.logsApplied.value}: the changes the applier makes between windows would not reach this replica's binlog, so a consumer would get the rows but never the live changes`,
      `start the replica with ${f.logsApplied.variable} = ON, ${drop}`,
    );
  if (f.outOfOrder) fail('max-lag', f.outOfOrder.message, `${f.outOfOrder.fix}, ${drop}`);
  if (/PERMISSIVE/.test(f.gtidMode))
    fail(
      'max-lag',
      `gtid_mode is ${f.gtidMode}: the binlog mixes transactions with and without GTIDs, which a consumer that follows GTIDs cannot resume across`,
      `finish the GTID migration (gtid_mode = ON) or go back to OFF, ${drop}`,
    );
  if (!f.applierAdmin.granted)
    fail(
      'privilege',
      'this user may not stop and start the replica applier, which a flush in windows does once per window',
      `GRANT ${f.applierAdmin.privilege} ON *.* TO the flush user`,
    );
  if (f.lag.kind === 'error')
    fail(
      f.lagQuery ? 'lag-query' : 'max-lag',
      `the lag cannot be read: ${f.lag.message}`,
      f.lagQuery
        ? `give ${n.name('lag-query')} a SELECT that answers one row with one number, the lag in seconds`
        : 'grant the flush user what SHOW REPLICA STATUS (SHOW SLAVE STATUS) needs',
    );
  if (f.lag.kind === 'unknown' && f.replica.sqlRunning && f.replica.ioRunning)
    fail(
      'max-lag',
      `the replica does not know its lag: ${f.lag.why}`,
      `let the replica connect to its source, or measure the lag with ${n.name('lag-query')} (a heartbeat table)`,
    );
  return out;
}

/** The facts `windowFailures` decides from, read now. `granted`: the user's global privileges. */
export async function readWindowFacts(
  db: Db,
  d: Dialect,
  w: WindowSettings,
  replica: ReplicaStatus | undefined,
  granted: ReadonlySet<string>,
  n: Names,
): Promise<WindowFacts> {
  const variable = d.logsAppliedVariable;
  const names = [
    variable,
    ...d.commitOrder.variables,
    ...(d.gtidDomains ? [d.gtidDomains.variables.applied] : []),
  ];
  const values = await globalVariables(db, names);
  const domains = d.gtidDomains
    ? d.gtidDomains.domainsOf(values.get(d.gtidDomains.variables.applied) ?? '')
    : [];
  const lag = await readLag(
    db,
    d,
    w.lagQuery ? { kind: 'query', sql: w.lagQuery, input: n.name('lag-query') } : { kind: 'status' },
  );
  return {
    replica,
    logsApplied: { variable, value: values.get(variable) },
    outOfOrder: d.commitOrder.outOfOrder(values, domains),
    gtidMode: str((await db.one(...gtidValue(d.gtidModeExpr)))?.g).toUpperCase(),
    applierAdmin: {
      granted: d.privileges.replicaAdmin.some((p) => granted.has(p)),
      privilege: d.privileges.replicaAdmin[0]!,
    },
    lag,
    lagQuery: w.lagQuery !== undefined,
  };
}
