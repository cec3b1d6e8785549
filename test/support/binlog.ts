/**
 * Reads back what a flush wrote, with the server's own binlog reader (mariadb-binlog / mysqlbinlog)
 * over the replication protocol (no server file is read, so containers are read too), decoded to row
 * images: every query statement and every row event with its table and values.
 */
import { spawnSync } from 'node:child_process';
import type { ServerInfo } from '../sandbox/types.js';
import { findBinary, hostCommand } from '../sandbox/binaries.js';
import { rows, withSql } from './db.js';

export interface Position {
  file: string;
  position: number;
}

export type BinlogEvent =
  | { kind: 'query'; sql: string }
  | { kind: 'table-map'; table: string; meta: string[] }
  | {
      kind: 'row';
      op: 'INSERT' | 'UPDATE' | 'DELETE';
      table: string;
      values: string[];
      /** The reader's type note per value (`INT meta=0 nullable=0 is_null=0`), '' where it has none. */
      types: string[];
    };

/** Where the reader stops decoding a row: it prints this instead of the value (MySQL 9.7's
 * mysqlbinlog and a GEOMETRY column, say), and nothing of the columns after it. */
export const UNDECODED = "!! Don't know how to handle";

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
    { op: 'INSERT' | 'UPDATE' | 'DELETE'; table: string; values: string[]; types: string[] } | undefined;
  // The table map being read, while its metadata lines (--print-table-metadata) follow it.
  let map: { meta: string[] } | undefined;
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
        row = {
          op: m[1]!.split(' ')[0] as 'INSERT' | 'UPDATE' | 'DELETE',
          table: m[2]!,
          values: [],
          types: [],
        };
        continue;
      }
      const v = /^###\s+@\d+=(.*)$/.exec(line);
      if (v && row) {
        const raw = v[1]!;
        const cut = raw.lastIndexOf(' /* ');
        row.values.push(cut >= 0 ? raw.slice(0, cut) : raw);
        row.types.push(cut >= 0 ? raw.slice(cut + 4).replace(/ \*\/$/, '') : '');
      }
      continue;
    }
    endRow();
    if (line.startsWith('#')) {
      if (line.startsWith('# at ')) map = undefined;
      else if (map) map.meta.push(line.slice(1).trim());
      if (inQuery && line.startsWith('# at ')) {
        endQuery();
        inQuery = false;
      }
      const tm = /\tTable_map: (.+) mapped to number \d+/.exec(line);
      if (tm) {
        map = { meta: [] };
        events.push({ kind: 'table-map', table: tm[1]!, meta: map.meta });
      }
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
 * The reader's command line: the server's own reader (the flavour root's, the container's, else the
 * one on PATH), run where the flavour's client programs run, reading the binlog over the replication
 * protocol from the server's address as seen from there. No file of the server is needed.
 */
function readerCommand(
  server: ServerInfo,
  files: string[],
  start: Position,
  end: Position,
  opts: { tableMetadata?: boolean } = {},
): { binary: string; args: string[] } {
  const tool =
    server.binlogReader ??
    findBinary(server.flavour === 'mysql' ? ['mysqlbinlog'] : ['mariadb-binlog', 'mysqlbinlog']);
  if (!tool) throw new Error(`no ${server.flavour === 'mysql' ? 'mysqlbinlog' : 'mariadb-binlog'} on PATH`);
  const at = server.container
    ? { host: '127.0.0.1', port: server.container.port }
    : { host: server.host, port: server.port };
  const args = [
    // Nothing from an option file of this machine or root (a [client] group's ssl or user).
    '--no-defaults',
    '--read-from-remote-server',
    `--host=${at.host}`,
    `--port=${at.port}`,
    '--protocol=tcp',
    `--user=${server.user}`,
    `--password=${server.password}`,
    // MySQL's caching_sha2_password without TLS needs the server's RSA key.
    ...(server.flavour === 'mysql' ? ['--get-server-public-key'] : []),
    ...(opts.tableMetadata ? ['--print-table-metadata'] : []),
    '--base64-output=decode-rows',
    '-vv',
    `--start-position=${start.position}`,
    `--stop-position=${end.position}`,
    ...files,
  ];
  return hostCommand(server, tool, args);
}

/**
 * Events between two positions of a sandbox server, read over the replication protocol (the user
 * needs REPLICATION SLAVE; the sandbox's has every privilege). `tableMetadata`: the table maps'
 * optional metadata too (what binlog_row_metadata=FULL puts there), as the reader prints it.
 */
export async function readBinlog(
  server: ServerInfo,
  start: Position,
  end: Position,
  opts: { tableMetadata?: boolean } = {},
): Promise<BinlogEvent[]> {
  const files = await filesBetween(server, start.file, end.file);
  const cmd = readerCommand(server, files, start, end, opts);
  const r = spawnSync(cmd.binary, cmd.args, { encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
    throw new Error(
      `${cmd.binary} ${cmd.args.filter((a) => !a.startsWith('--password=')).join(' ')}: ${why}: ${r.stderr?.toString('utf8') ?? ''}`,
    );
  }
  return parseBinlogText(r.stdout.toString('utf8'));
}

/**
 * Whether a table name as a reader printed it is `quoted` (`schema`.`table` with backticks doubled):
 * MySQL's mysqlbinlog prints a backtick inside a name as it is, MariaDB's doubles it.
 */
export function sameTable(printed: string, quoted: string): boolean {
  return printed === quoted || printed.replaceAll('``', '`') === quoted.replaceAll('``', '`');
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
export function binlogProblems(
  events: BinlogEvent[],
  tables: FlushedTable[],
  ddl = true,
  decoded?: Map<string, string[]>,
): string[] {
  const problems: string[] = [];
  const names = new Set(tables.map((t) => t.name));
  const known = (printed: string) => [...names].find((n) => sameTable(printed, n));
  for (const e of events) {
    if (/_bf_[0-9a-f]{8}/.test(JSON.stringify(e)))
      problems.push(`a backup or twin name: ${JSON.stringify(e).slice(0, 120)}`);
    if (e.kind === 'query' && !(ddl && [...names].some((n) => e.sql.startsWith(`CREATE TABLE ${n} (`))))
      problems.push(`a statement that is not a flushed table's CREATE TABLE: ${e.sql.slice(0, 120)}`);
    if (e.kind === 'row' && e.op !== 'INSERT') problems.push(`a ${e.op} row event on ${e.table}`);
    if ((e.kind === 'row' || e.kind === 'table-map') && !known(e.table)) problems.push(`rows of ${e.table}`);
  }
  const byTable = new Map<string, string[]>();
  for (const [printed, list] of rowsByTable(events)) {
    const n = known(printed) ?? printed;
    byTable.set(n, [...(byTable.get(n) ?? []), ...list.map((v) => v.join('\u0001'))]);
  }
  for (const t of tables) {
    // Where the server's reader could not decode a row, it stops at that row: another reader counts.
    const server = byTable.get(t.name) ?? [];
    const got = server.some((r) => r.includes(UNDECODED)) && decoded ? (decoded.get(t.name) ?? []) : server;
    if (got.length !== t.rows) problems.push(`${t.name}: ${got.length} row events for ${t.rows} rows`);
    if (t.distinct && new Set(got).size !== got.length) problems.push(`${t.name}: a row written twice`);
    if (!ddl) continue;
    const ddlAt = events.findIndex((e) => e.kind === 'query' && e.sql.startsWith(`CREATE TABLE ${t.name} (`));
    const firstRow = events.findIndex((e) => e.kind === 'row' && sameTable(e.table, t.name));
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
