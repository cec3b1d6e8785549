/**
 * Reads back what a flush wrote, with the server's own binlog reader (mariadb-binlog / mysqlbinlog),
 * decoded to row images: every query statement and every row event with its table and values.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ServerInfo } from '../sandbox/types.js';
import { findBinary, hostCommand, inside } from '../sandbox/binaries.js';
import { rows, withSql } from './db.js';

export interface Position {
  file: string;
  position: number;
}

export type BinlogEvent =
  | { kind: 'query'; sql: string }
  | { kind: 'table-map'; table: string }
  | {
      kind: 'row';
      op: 'INSERT' | 'UPDATE' | 'DELETE';
      table: string;
      values: string[];
      /** The reader could not decode a column: this event's values (and further rows) are missing. */
      undecoded?: true;
    };

export async function currentPosition(server: ServerInfo): Promise<Position> {
  return withSql(server, async (c) => {
    const r = await rows<{ File: string; Position: number }>(
      c,
      server.flavour === 'mysql' ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    ).catch(() => rows<{ File: string; Position: number }>(c, 'SHOW MASTER STATUS'));
    return { file: r[0]!.File, position: Number(r[0]!.Position) };
  });
}

async function filesBetween(server: ServerInfo, from: string, to: string): Promise<string[]> {
  const all = await withSql(server, (c) => rows<{ Log_name: string }>(c, 'SHOW BINARY LOGS'));
  const names = all.map((r) => r.Log_name);
  return names.slice(names.indexOf(from), names.indexOf(to) + 1);
}

export function parseBinlogText(text: string): BinlogEvent[] {
  const events: BinlogEvent[] = [];
  let inQuery = false;
  let buf: string[] = [];
  let row:
    { op: 'INSERT' | 'UPDATE' | 'DELETE'; table: string; values: string[]; undecoded?: true } | undefined;
  const endQuery = () => {
    const sql = buf.join('\n').trim();
    if (sql) events.push({ kind: 'query', sql });
    buf = [];
  };
  const endRow = () => {
    if (row) events.push({ kind: 'row', ...row });
    row = undefined;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('### ')) {
      const m = /^### (INSERT INTO|UPDATE|DELETE FROM) (.+)$/.exec(line);
      if (m) {
        endRow();
        row = { op: m[1]!.split(' ')[0] as 'INSERT' | 'UPDATE' | 'DELETE', table: m[2]!, values: [] };
        continue;
      }
      const v = /^###\s+@\d+=(.*)$/.exec(line);
      if (v && row) {
        const raw = v[1]!;
        if (raw.startsWith("!! Don't know how to handle column type")) row.undecoded = true;
        const cut = raw.lastIndexOf(' /* ');
        row.values.push(cut >= 0 ? raw.slice(0, cut) : raw);
      }
      continue;
    }
    endRow();
    if (line.startsWith('#')) {
      if (inQuery && line.startsWith('# at ')) {
        endQuery();
        inQuery = false;
      }
      const tm = /\tTable_map: (.+) mapped to number \d+/.exec(line);
      if (tm) events.push({ kind: 'table-map', table: tableMapName(tm[1]!) });
      if (/\tQuery\t/.test(line)) inQuery = true;
      continue;
    }
    if (!inQuery) continue;
    if (line === '/*!*/;') {
      endQuery();
      continue;
    }
    if (/^(SET |use |\/\*|BEGIN|COMMIT|START TRANSACTION|ROLLBACK|DELIMITER)/.test(line)) continue;
    buf.push(line.endsWith('/*!*/;') ? line.slice(0, -'/*!*/;'.length) : line);
  }
  endRow();
  if (inQuery) endQuery();
  return events;
}

/**
 * A Table_map comment's `schema`.`table` as the row lines spell it. MySQL's mysqlbinlog (9.7) prints
 * the names there without doubling a backtick inside them (`w`.`a`b c`), while its row lines and
 * MariaDB's reader double it (`w`.`a``b c`).
 */
export function tableMapName(printed: string): string {
  if (/^`(?:[^`]|``)*`\.`(?:[^`]|``)*`$/.test(printed)) return printed;
  const cut = printed.indexOf('`.`');
  if (!printed.startsWith('`') || !printed.endsWith('`') || cut < 0) return printed;
  const quote = (n: string) => '`' + n.replaceAll('`', '``') + '`';
  return `${quote(printed.slice(1, cut))}.${quote(printed.slice(cut + 3, -1))}`;
}

/** Events between two positions of a local sandbox server. */
export async function readBinlog(server: ServerInfo, start: Position, end: Position): Promise<BinlogEvent[]> {
  const tool = server.binlogReader ?? findBinary(['mariadb-binlog', 'mysqlbinlog']);
  if (!tool) throw new Error('no mariadb-binlog or mysqlbinlog on PATH');
  if (!server.datadir) throw new Error('binlog reading needs a local sandbox server');
  const files = await filesBetween(server, start.file, end.file);
  const args = [
    '--base64-output=decode-rows',
    '-vv',
    `--start-position=${start.position}`,
    `--stop-position=${end.position}`,
    ...files.map((f) => inside(server, join(server.datadir!, f))),
  ];
  const cmd = hostCommand(server, tool, args);
  const text = execFileSync(cmd.binary, cmd.args, {
    encoding: 'latin1',
    maxBuffer: 1024 * 1024 * 1024,
  });
  const events = parseBinlogText(Buffer.from(text, 'latin1').toString('utf8'));
  return withUndecodedRows(events, server, start, end);
}

/**
 * Where the text reader could not decode a row event, that table's rows come from the replication
 * protocol instead (zongji), in the place of its first row event: counts and distinctness stay
 * checkable, and the order of DDL and rows too.
 */
async function withUndecodedRows(
  events: BinlogEvent[],
  server: ServerInfo,
  start: Position,
  end: Position,
): Promise<BinlogEvent[]> {
  const tables = new Set(events.flatMap((e) => (e.kind === 'row' && e.undecoded ? [e.table] : [])));
  if (tables.size === 0) return events;
  const { insertedRows } = await import('./binlog-rows.js');
  const decoded = await insertedRows(server, start, end);
  const out: BinlogEvent[] = [];
  const placed = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'row' || !tables.has(e.table)) {
      out.push(e);
      continue;
    }
    if (placed.has(e.table)) continue;
    placed.add(e.table);
    for (const values of decoded.get(e.table) ?? [])
      out.push({ kind: 'row', op: 'INSERT', table: e.table, values });
  }
  return out;
}

export function rowsByTable(events: BinlogEvent[]): Map<string, string[][]> {
  const m = new Map<string, string[][]>();
  for (const e of events) {
    if (e.kind !== 'row' || e.op !== 'INSERT') continue;
    let list = m.get(e.table);
    if (!list) m.set(e.table, (list = []));
    list.push(e.values);
  }
  return m;
}

/** What one flushed table must have put into the binlog. */
export interface FlushedTable {
  /** `schema`.`table`, quoted as the binlog reader prints it. */
  name: string;
  rows: number;
  /** Rows are distinct in the table (it has a key), so they must be distinct in the binlog too. */
  distinct: boolean;
}

/**
 * What a flush wrote between its coordinates, against what it should have: per table its CREATE TABLE
 * before its first row, every row once, as INSERT row events under its real name; nothing else
 * (no other table, no other statement, no backup or twin name). Returns the problems found.
 */
export function binlogProblems(events: BinlogEvent[], tables: FlushedTable[], ddl = true): string[] {
  const problems: string[] = [];
  const names = new Set(tables.map((t) => t.name));
  for (const e of events) {
    if (/_bf_[0-9a-f]{8}/.test(JSON.stringify(e)))
      problems.push(`a backup or twin name: ${JSON.stringify(e).slice(0, 120)}`);
    if (e.kind === 'query' && !(ddl && [...names].some((n) => e.sql.startsWith(`CREATE TABLE ${n} (`))))
      problems.push(`a statement that is not a flushed table's CREATE TABLE: ${e.sql.slice(0, 120)}`);
    if (e.kind === 'row' && e.op !== 'INSERT') problems.push(`a ${e.op} row event on ${e.table}`);
    if ((e.kind === 'row' || e.kind === 'table-map') && !names.has(e.table))
      problems.push(`rows of ${e.table}`);
  }
  const byTable = rowsByTable(events);
  for (const t of tables) {
    const got = byTable.get(t.name) ?? [];
    if (got.length !== t.rows) problems.push(`${t.name}: ${got.length} row events for ${t.rows} rows`);
    if (t.distinct && new Set(got.map((v) => v.join('\u0001'))).size !== got.length)
      problems.push(`${t.name}: a row written twice`);
    if (!ddl) continue;
    const ddlAt = events.findIndex((e) => e.kind === 'query' && e.sql.startsWith(`CREATE TABLE ${t.name} (`));
    const firstRow = events.findIndex((e) => e.kind === 'row' && e.table === t.name);
    if (ddlAt < 0) problems.push(`${t.name}: no CREATE TABLE`);
    else if (firstRow >= 0 && firstRow < ddlAt) problems.push(`${t.name}: rows before its CREATE TABLE`);
  }
  return problems;
}

/** One transaction of a binlog range: its GTID and the tables its row events name (`schema.table`). */
export interface LoggedTransaction {
  gtid: string;
  tables: string[];
  queries: string[];
}

/**
 * Every transaction with a GTID between two positions, read with SHOW BINLOG EVENTS (independently of
 * the flusher's own reading): what a run's GTID set is checked against.
 */
export async function transactionsBetween(
  server: ServerInfo,
  start: Position,
  end: Position,
): Promise<LoggedTransaction[]> {
  const files = await filesBetween(server, start.file, end.file);
  const out: LoggedTransaction[] = [];
  await withSql(server, async (c) => {
    for (const f of files) {
      const events = await rows<{ Event_type: string; Info: string; Pos: number; End_log_pos: number }>(
        c,
        f === start.file ? 'SHOW BINLOG EVENTS IN ? FROM ?' : 'SHOW BINLOG EVENTS IN ?',
        f === start.file ? [f, start.position] : [f],
      );
      for (const e of events) {
        if (f === end.file && Number(e.Pos) >= end.position) break;
        const gtid =
          /GTID_NEXT= '([0-9a-f-]{36}(?::\w+)?:\d+)'/.exec(e.Info)?.[1] ??
          (/^Gtid$/.test(e.Event_type) ? /GTID (\d+-\d+-\d+)/.exec(e.Info)?.[1] : undefined);
        if (gtid) out.push({ gtid, tables: [], queries: [] });
        const last = out[out.length - 1];
        if (!last) continue;
        if (e.Event_type === 'Table_map') last.tables.push(/\((.*)\)$/.exec(e.Info)?.[1] ?? '');
        else if (e.Event_type === 'Query' && !/^(BEGIN|COMMIT)$/.test(e.Info)) last.queries.push(e.Info);
      }
    }
  });
  return out;
}
