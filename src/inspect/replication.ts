/** Replication as this server sees it: its own applier threads, and replicas reading its binlog. Read-only. */
import { binlogDumpThreads, gtidValue } from '../sql/reads.js';
import type { Db } from '../db/connection.js';
import type { Dialect } from '../flavours/index.js';
import { num, str } from './cells.js';

export interface ReplicaStatus {
  ioRunning: boolean;
  sqlRunning: boolean;
  sourceHost: string;
  sourceLogFile: string;
  execSourceLogPos: number;
  /** MariaDB: gtid_slave_pos; MySQL: Executed_Gtid_Set. */
  gtidApplied: string;
  channels: number;
}

/** undefined when the server is not a replica. */
export async function replicaStatus(db: Db, d: Dialect): Promise<ReplicaStatus | undefined> {
  const rows = await db.rows(d.allReplicasStatus);
  if (rows.length === 0) return undefined;
  const c = d.replicaCols;
  const first = rows[0]!;
  const a = d.appliedGtids;
  const gtidApplied =
    'column' in a ? str(first[a.column]) : str((await db.one(...gtidValue(a.expression)))?.g);
  return {
    ioRunning: rows.some((r) => str(r[c.ioRunning]).toLowerCase() === 'yes'),
    sqlRunning: rows.some((r) => str(r[c.sqlRunning]).toLowerCase() === 'yes'),
    sourceHost: str(first[c.sourceHost]),
    sourceLogFile: str(first[c.sourceLogFile]),
    execSourceLogPos: num(first[c.execSourceLogPos]),
    gtidApplied: gtidApplied.replaceAll('\n', ''),
    channels: rows.length,
  };
}

/** Replicas reading this server's binlog: registered ones and binlog dump threads. */
export async function downstreamReplicas(db: Db, d: Dialect): Promise<string[]> {
  const found = new Set<string>();
  // Without the privilege for this statement the processlist shows only our own threads, so a
  // failure here is a failure of the check (the caller decides), never "no replicas".
  for (const r of await db.rows(d.showReplicas)) found.add(`server_id ${str(r.Server_id ?? r.Server_Id)}`);
  const dumps = await db.rows(...binlogDumpThreads());
  for (const r of dumps) found.add(`binlog dump thread ${str(r.id)} from ${str(r.host)}`);
  return [...found];
}
