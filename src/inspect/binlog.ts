/**
 * The binlog: where it stands, what it holds since a position (scans of SHOW BINLOG EVENTS), its
 * size and its retention. Read-only.
 */
import { binaryLogs, binlogEvents, gtidExecuted } from '../sql/reads.js';
import type { Db } from '../db/connection.js';
import type { Dialect } from '../flavours/index.js';
import { qualify } from '../sql/quote.js';
import { num, str } from './cells.js';
import { globalVariables } from './server.js';
import { isOurEvent, type OurEvents } from './our-events.js';

export interface BinlogPosition {
  file: string;
  position: number;
  gtid: string;
}

export async function binlogPosition(db: Db, d: Dialect): Promise<BinlogPosition> {
  const r = await db.one(d.showBinlogStatus);
  const g = await db.one(...gtidExecuted(d.gtidExecutedExpr));
  return { file: str(r?.File), position: num(r?.Position), gtid: str(g?.g).replaceAll('\n', '') };
}

/**
 * How many of the run's own row-event statements name `schema.table` in the binlog since `from` (the
 * table's own start): one Table_map per committed statement that wrote rows. What is the run's own is
 * `isOurEvent`'s to say (our-events.ts): a replicated transaction on the same name is not counted. This
 * tells how many chunks whose reply was lost committed (see engine/copy.ts, which reads it with no
 * other chunk of the table running).
 */
export async function committedStatements(
  db: Db,
  from: { file: string; position: number },
  schema: string,
  table: string,
  ours: OurEvents,
  until?: { file: string; position: number },
): Promise<number> {
  const logs = (await db.rows(...binaryLogs())).map((r) => str(r.Log_name));
  const first = logs.indexOf(from.file);
  if (first < 0)
    throw new Error(
      `binlog file ${from.file} is gone from the server (purged); cannot count what was written`,
    );
  const last = until ? logs.indexOf(until.file) : logs.length - 1;
  if (last < 0)
    throw new Error(
      `binlog file ${until!.file} is gone from the server (purged); cannot count what was written`,
    );
  const suffix = `(${schema}.${table})`;
  let n = 0;
  let gtid: string | undefined;
  for (const f of logs.slice(first, last + 1)) {
    for await (const e of eventsOf(db, f, f === from.file ? from.position : undefined)) {
      if (until && f === until.file && num(e.Pos) >= until.position) break;
      const type = str(e.Event_type);
      if (isGtidEvent(type)) gtid = gtidOfEvent(str(e.Info));
      else if (type === 'Table_map' && str(e.Info).endsWith(suffix) && isOurEvent(e, gtid, ours)) n++;
    }
  }
  return n;
}

/** Events read per SHOW BINLOG EVENTS: memory stays bounded whatever the size of a binlog file. */
export const BINLOG_PAGE = 10_000;

/**
 * The events of one binlog file from `from` (its start when undefined), a page at a time. Each page
 * reads one event more than it hands out, and the next page starts at that event's own position:
 * End_log_pos cannot say where the next one starts (MariaDB 11.8 gives 0 for the events inside a
 * transaction).
 */
export async function* eventsOf(
  db: Db,
  file: string,
  from: number | undefined,
  page = BINLOG_PAGE,
): AsyncGenerator<Record<string, unknown>> {
  let at = from;
  for (;;) {
    const events = await db.rows(...binlogEvents(file, at, page + 1));
    yield* events.slice(0, page);
    if (events.length <= page) return;
    const next = num(events[page]!.Pos);
    if (!(next > (at ?? 0)))
      throw new Error(`binlog ${file}: the event after position ${at ?? 0} is not past it`);
    at = next;
  }
}

/** Whether an event type opens a transaction with its GTID (not a list of GTIDs). */
function isGtidEvent(type: string): boolean {
  return /gtid/i.test(type) && !/^(Gtid_list|Previous_gtids)$/i.test(type);
}

/** The GTID a binlog's Gtid event names: MariaDB `BEGIN GTID 0-2-79`, MySQL `GTID_NEXT= 'uuid[:tag]:79'`. */
export function gtidOfEvent(info: string): string | undefined {
  const mysql = /GTID_NEXT\s*=\s*'([0-9a-f-]{36}(?::[A-Za-z_][A-Za-z0-9_]*)?:\d+)'/i.exec(info);
  return mysql?.[1] ?? /\bGTID (\d+-\d+-\d+)/.exec(info)?.[1];
}

/**
 * The GTIDs of the transactions since `from` that logged rows of one of `tables` or created one of
 * them (its `CREATE TABLE schema.table (`): what a run wrote, as the binlog holds it. Read only when a
 * session could not say which GTID one of its statements got.
 */
export async function gtidsOfTables(
  db: Db,
  from: { file: string; position: number },
  tables: { schema: string; table: string }[],
  ours: OurEvents,
): Promise<string[]> {
  const maps = new Set(tables.map((t) => `(${t.schema}.${t.table})`));
  const creates = tables.map((t) => `CREATE TABLE ${qualify(t.schema, t.table)} (`);
  const logs = (await db.rows(...binaryLogs())).map((r) => str(r.Log_name));
  const found = new Set<string>();
  let gtid: string | undefined;
  for (const f of logs.slice(Math.max(0, logs.indexOf(from.file)))) {
    for await (const e of eventsOf(db, f, f === from.file ? from.position : undefined)) {
      const type = str(e.Event_type);
      const info = str(e.Info);
      // Each transaction starts with its GTID event (MySQL's anonymous ones have none to give).
      if (isGtidEvent(type)) gtid = gtidOfEvent(info);
      else if (!gtid || !isOurEvent(e, gtid, ours)) continue;
      else if (type === 'Table_map' && maps.has(info.slice(info.indexOf('(')))) found.add(gtid);
      else if (type === 'Query' && creates.some((c) => info.includes(c))) found.add(gtid);
    }
  }
  return [...found];
}

/** Binlog bytes written since a position: the rest of its file and every later file. */
export async function binlogBytesSince(db: Db, from: { file: string; position: number }): Promise<number> {
  const logs = (await db.rows(...binaryLogs())).map((r) => ({
    name: str(r.Log_name),
    size: num(r.File_size),
  }));
  const i = logs.findIndex((l) => l.name === from.file);
  if (i < 0) return 0;
  return logs.slice(i).reduce((n, l, k) => n + (k === 0 ? Math.max(0, l.size - from.position) : l.size), 0);
}

/** Binlog expiry and size limits, per flavour (0: none). */
export interface BinlogRetention {
  /** Seconds after which a binlog file may be purged; 0: never by age. */
  expireSeconds: number;
  /** Where that came from, for the warning's fix. */
  source: string;
  /** Bytes all binlogs may take before the oldest are purged (MariaDB 11.4+); 0: none. */
  totalSizeLimit: number;
  /** MySQL 8.0.29+: OFF means nothing is purged automatically at all. */
  autoPurge: boolean;
}

export async function binlogRetention(db: Db): Promise<BinlogRetention> {
  const names = [
    'binlog_expire_logs_seconds',
    'expire_logs_days',
    'binlog_expire_logs_auto_purge',
    'max_binlog_total_size',
    'binlog_space_limit',
  ];
  const v = await globalVariables(db, names);
  const n = (name: string) => Number(v.get(name) ?? 0) || 0;
  const seconds = n('binlog_expire_logs_seconds');
  const days = n('expire_logs_days');
  const expireSeconds = seconds || Math.round(days * 86_400);
  return {
    expireSeconds,
    source: seconds ? 'binlog_expire_logs_seconds' : days ? 'expire_logs_days' : 'none',
    totalSizeLimit: n('max_binlog_total_size') || n('binlog_space_limit'),
    autoPurge: !['OFF', '0'].includes(v.get('binlog_expire_logs_auto_purge') ?? 'ON'),
  };
}
