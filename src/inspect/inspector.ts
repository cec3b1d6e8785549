/**
 * Read-only inspection of the server: facts, replication state, tables and their shape.
 * Nothing in this module changes the server (session variables aside).
 */
import { usersWith, writesInto, type TableName } from './writers.js';
import type { Db, Row } from '../db/connection.js';
import { parseVersion } from '../model/version.js';
import { dialectFor, type Dialect } from '../flavours/index.js';
import { qualify } from '../sql/quote.js';
import { countAfterStart, countChunkOf, keyExtent, sessionExists } from '../sql/builders.js';
import type { Chunk, CopyKey } from '../model/copy.js';
import type { ForeignKeyEdge } from '../model/table.js';

export const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

export interface ServerFacts {
  dialect: Dialect;
  serverId: number;
  serverUuid: string;
  hostname: string;
  logBin: boolean;
  readOnly: boolean;
  superReadOnly: boolean;
  gtidOn: boolean;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const bool = (v: unknown): boolean => ['1', 'ON', 'TRUE'].includes(str(v).toUpperCase());

export async function readServer(db: Db): Promise<ServerFacts> {
  const base = await db.one('SELECT @@version AS v, @@version_comment AS vc');
  const version = parseVersion(str(base?.v), str(base?.vc));
  const dialect = dialectFor(version);
  const maria = version.flavour === 'mariadb';
  const r = await db.one(
    maria
      ? `SELECT @@server_id AS sid, '' AS uuid, @@hostname AS host, @@log_bin AS log_bin, @@read_only AS ro,
                0 AS sro, ${dialect.gtidModeExpr} AS gtid`
      : `SELECT @@server_id AS sid, @@server_uuid AS uuid, @@hostname AS host, @@log_bin AS log_bin, @@read_only AS ro,
                @@super_read_only AS sro, ${dialect.gtidModeExpr} AS gtid`,
  );
  return {
    dialect,
    serverId: num(r?.sid),
    serverUuid: str(r?.uuid),
    hostname: str(r?.host),
    logBin: bool(r?.log_bin),
    readOnly: bool(r?.ro),
    superReadOnly: bool(r?.sro),
    gtidOn: str(r?.gtid).toUpperCase().startsWith('ON'),
  };
}

export async function engineSupport(db: Db, engine: string): Promise<string> {
  const r = await db.one('SELECT SUPPORT AS s FROM information_schema.ENGINES WHERE ENGINE = ?', [engine]);
  return str(r?.s).toUpperCase();
}

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
  const rows =
    d.version.flavour === 'mariadb'
      ? await db.rows('SHOW ALL SLAVES STATUS')
      : await db.rows(d.showReplicaStatus);
  if (rows.length === 0) return undefined;
  const c = d.replicaCols;
  const first = rows[0]!;
  let gtidApplied = str(first.Executed_Gtid_Set);
  if (d.version.flavour === 'mariadb')
    gtidApplied = str((await db.one('SELECT @@GLOBAL.gtid_slave_pos AS g'))?.g);
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
  const dumps = await db.rows(
    "SELECT ID AS id, HOST AS host FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Binlog Dump', 'Binlog Dump GTID')",
  );
  for (const r of dumps) found.add(`binlog dump thread ${str(r.id)} from ${str(r.host)}`);
  return [...found];
}

export interface BinlogPosition {
  file: string;
  position: number;
  gtid: string;
}

export async function binlogPosition(db: Db, d: Dialect): Promise<BinlogPosition> {
  const r = await db.one(d.showBinlogStatus);
  const g = await db.one(`SELECT ${d.gtidExecutedExpr} AS g`);
  return { file: str(r?.File), position: num(r?.Position), gtid: str(g?.g).replaceAll('\n', '') };
}

/* Tables */

export interface TableRow {
  schema: string;
  name: string;
  type: string;
  engine: string;
  rows: number;
  dataLength: number;
  avgRowLength: number;
  comment: string;
  createOptions: string;
}

export async function listTables(db: Db, schemas?: string[]): Promise<TableRow[]> {
  const params: unknown[] = [SYSTEM_SCHEMAS];
  let where = 'TABLE_SCHEMA NOT IN (?)';
  if (schemas && schemas.length) {
    where += ' AND TABLE_SCHEMA IN (?)';
    params.push(schemas);
  }
  const rows = await db.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, TABLE_TYPE AS t, IFNULL(ENGINE, '') AS e, IFNULL(TABLE_ROWS, 0) AS r,
            IFNULL(DATA_LENGTH, 0) AS dl, IFNULL(AVG_ROW_LENGTH, 0) AS arl, IFNULL(TABLE_COMMENT, '') AS c,
            IFNULL(CREATE_OPTIONS, '') AS o
       FROM information_schema.TABLES WHERE ${where} ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    params,
  );
  return rows.map((r) => ({
    schema: str(r.s),
    name: str(r.n),
    type: str(r.t),
    engine: str(r.e),
    rows: num(r.r),
    dataLength: num(r.dl),
    avgRowLength: num(r.arl),
    comment: str(r.c),
    createOptions: str(r.o),
  }));
}

/** Foreign keys whose child or parent table is in `schemas` (the rename families, plan/families). */
export async function foreignKeyEdges(db: Db, schemas: string[]): Promise<ForeignKeyEdge[]> {
  if (schemas.length === 0) return [];
  const rows = await db.rows(
    `SELECT CONSTRAINT_SCHEMA AS cs, TABLE_NAME AS ct, UNIQUE_CONSTRAINT_SCHEMA AS ps, REFERENCED_TABLE_NAME AS pt
       FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (?) OR UNIQUE_CONSTRAINT_SCHEMA IN (?)`,
    [schemas, schemas],
  );
  return rows.map((r) => ({
    childSchema: str(r.cs),
    child: str(r.ct),
    parentSchema: str(r.ps),
    parent: str(r.pt),
  }));
}

export async function listSchemas(db: Db): Promise<string[]> {
  const rows = await db.rows(
    'SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (?)',
    [SYSTEM_SCHEMAS],
  );
  return rows.map((r) => str(r.s));
}

export type { Column, Index, TableShape } from '../model/table.js';
export { liveShape, shapeOf, tableShapes } from './shapes.js';

/** SHOW CREATE TABLE for many tables, batched into few round trips. */
export async function showCreateMany(db: Db, tables: { schema: string; table: string }[]): Promise<string[]> {
  const out: string[] = [];
  const batch = 200;
  for (let i = 0; i < tables.length; i += batch) {
    const part = tables.slice(i, i + batch);
    const sets = await db.multi(part.map((t) => `SHOW CREATE TABLE ${qualify(t.schema, t.table)}`));
    for (const set of sets) {
      const row = (set as Row[])[0];
      const text = row?.['Create Table'];
      if (typeof text !== 'string') throw new Error('SHOW CREATE TABLE returned no definition');
      out.push(text);
    }
  }
  return out;
}

/** Live state of one name, for recovery and guards. */
export interface LiveTable {
  exists: boolean;
  engine: string;
  comment: string;
  type: string;
}

export async function liveTable(db: Db, schema: string, table: string): Promise<LiveTable> {
  const r = await db.one(
    `SELECT TABLE_TYPE AS t, IFNULL(ENGINE, '') AS e, IFNULL(TABLE_COMMENT, '') AS c FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [schema, table],
  );
  if (!r) return { exists: false, engine: '', comment: '', type: '' };
  return { exists: true, engine: str(r.e).toUpperCase(), comment: str(r.c), type: str(r.t) };
}

/** Which of these tables exist (in information_schema), in one round trip. */
export async function existingTables(db: Db, tables: TableName[]): Promise<TableName[]> {
  if (tables.length === 0) return [];
  const rows = await db.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES
      WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${tables.map(() => '(?, ?)').join(', ')})`,
    tables.flatMap((t) => [t.schema, t.table]),
  );
  return rows.map((r) => ({ schema: str(r.s), table: str(r.t) }));
}

/**
 * Why the server cannot open a table (a definition whose engine part is missing, say), or undefined
 * when it can. information_schema does not always tell: for a partitioned table it shows the engine
 * of the definition.
 */
export async function cannotOpen(db: Db, schema: string, table: string): Promise<string | undefined> {
  try {
    await db.rows(`SELECT 1 AS x FROM ${qualify(schema, table)} LIMIT 0`);
    return undefined;
  } catch (e) {
    const code = (e as { errno?: number }).errno;
    // 1932: doesn't exist in engine; 1812: tablespace missing; 1017/1030/1033: files the engine cannot read.
    if (code !== undefined && [1932, 1812, 1017, 1030, 1033].includes(code)) return (e as Error).message;
    throw e;
  }
}

export async function isEmpty(db: Db, schema: string, table: string): Promise<boolean> {
  const r = await db.rows(`SELECT 1 AS x FROM ${qualify(schema, table)} LIMIT 1`);
  return r.length === 0;
}

/**
 * How many row-event statements name `schema.table` in the binlog since `from`: one Table_map per
 * committed statement that wrote rows. Only our workers write under that name while the table is
 * flushed (the applier is stopped, read_only is on), so this tells how many chunks whose reply was
 * lost committed (see engine/copy.ts, which reads it with no other chunk of the table running).
 */
export async function committedStatements(
  db: Db,
  from: { file: string; position: number },
  schema: string,
  table: string,
): Promise<number> {
  const logs = (await db.rows('SHOW BINARY LOGS')).map((r) => str(r.Log_name));
  const files = logs.slice(Math.max(0, logs.indexOf(from.file)));
  const suffix = `(${schema}.${table})`;
  let n = 0;
  for (const f of files) {
    const events = await db.rows(
      f === from.file ? 'SHOW BINLOG EVENTS IN ? FROM ?' : 'SHOW BINLOG EVENTS IN ?',
      f === from.file ? [f, from.position] : [f],
    );
    for (const e of events) if (str(e.Event_type) === 'Table_map' && str(e.Info).endsWith(suffix)) n++;
  }
  return n;
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
): Promise<string[]> {
  const maps = new Set(tables.map((t) => `(${t.schema}.${t.table})`));
  const creates = tables.map((t) => `CREATE TABLE ${qualify(t.schema, t.table)} (`);
  const logs = (await db.rows('SHOW BINARY LOGS')).map((r) => str(r.Log_name));
  const found = new Set<string>();
  let gtid: string | undefined;
  for (const f of logs.slice(Math.max(0, logs.indexOf(from.file)))) {
    const events = await db.rows(
      f === from.file ? 'SHOW BINLOG EVENTS IN ? FROM ?' : 'SHOW BINLOG EVENTS IN ?',
      f === from.file ? [f, from.position] : [f],
    );
    for (const e of events) {
      const type = str(e.Event_type);
      const info = str(e.Info);
      // Each transaction starts with its GTID event (MySQL's anonymous ones have none to give).
      if (/gtid/i.test(type) && !/^(Gtid_list|Previous_gtids)$/i.test(type)) gtid = gtidOfEvent(info);
      else if (!gtid) continue;
      else if (type === 'Table_map' && maps.has(info.slice(info.indexOf('(')))) found.add(gtid);
      else if (type === 'Query' && creates.some((c) => info.includes(c))) found.add(gtid);
    }
  }
  return [...found];
}

/** Privileges of the current user: global ones, and per schema pattern (LIKE syntax). */
export interface Grants {
  global: Set<string>;
  schemas: { pattern: string; privilege: string }[];
}

export async function currentGrants(db: Db): Promise<Grants> {
  const who = str((await db.one('SELECT CURRENT_USER() AS u'))?.u);
  const at = who.lastIndexOf('@');
  const grantee = `'${who.slice(0, at)}'@'${who.slice(at + 1)}'`;
  const g = await db.rows(
    'SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?',
    [grantee],
  );
  const sc = await db.rows(
    'SELECT TABLE_SCHEMA AS s, PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?',
    [grantee],
  );
  return {
    global: new Set(g.map((r) => str(r.p).toUpperCase())),
    schemas: sc.map((r) => ({ pattern: str(r.s), privilege: str(r.p).toUpperCase() })),
  };
}

/** MySQL's schema-grant pattern matching: % and _ wildcards, backslash escapes. */
export function schemaPatternMatches(pattern: string, schema: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 'su').test(schema);
}

export const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'CREATE', 'DROP', 'ALTER'] as const;

/** Table privileges missing on `schema` (global or schema-level grants count). */
export function missingSchemaPrivileges(g: Grants, schema: string): string[] {
  return TABLE_PRIVILEGES.filter(
    (p) =>
      !g.global.has(p) &&
      !g.schemas.some((x) => x.privilege === p && schemaPatternMatches(x.pattern, schema)),
  );
}

/** A client session of someone else (not a server thread, not a binlog reader). */
export interface OtherSession {
  id: number;
  user: string;
  host: string;
  /** Privileges that let it write while read_only is ON; undefined when this user cannot read them. */
  bypass?: string[];
}

/** What can still write into the flushed tables once read_only is ON (see inspect/writers.ts). */
export interface LocalWriters {
  sessions: OtherSession[];
  events: { schema: string; name: string; definer: string }[];
  triggers: { schema: string; name: string; on: string; into: string[] }[];
}

export async function localWriters(db: Db, d: Dialect, flushed: TableName[]): Promise<LocalWriters> {
  const sessions = await db.rows(
    `SELECT ID AS id, USER AS u, HOST AS h FROM information_schema.PROCESSLIST
      WHERE ID <> CONNECTION_ID() AND USER NOT IN ('system user', 'event_scheduler', 'unauthenticated user')
        AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Killed')`,
  );
  const canSeeAll = await db
    .rows(
      d.version.flavour === 'mariadb'
        ? 'SELECT 1 FROM mysql.global_priv LIMIT 0'
        : 'SELECT 1 FROM mysql.user LIMIT 0',
    )
    .then(() => true)
    .catch(() => false);
  const current = str((await db.one('SELECT CURRENT_USER() AS u'))?.u);
  const me = current.slice(0, current.lastIndexOf('@'));
  const privRows = await db.rows(
    `SELECT GRANTEE AS g, PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE IN (${d.privileges.readOnlyBypass.map(() => '?').join(', ')})`,
    d.privileges.readOnlyBypass,
  );
  const bypass = usersWith(
    privRows.map((r) => ({ grantee: str(r.g), privilege: str(r.p) })),
    d.privileges.readOnlyBypass,
  );
  const result: LocalWriters = {
    sessions: sessions.map((r) => {
      const user = str(r.u);
      const known = canSeeAll || user === me;
      return { id: num(r.id), user, host: str(r.h), bypass: known ? (bypass.get(user) ?? []) : undefined };
    }),
    events: [],
    triggers: [],
  };
  const schemas = new Set(flushed.map((t) => t.schema));
  const key = (s: string, t: string) => `${s}\u0000${t}`;
  const flushedKeys = new Set(flushed.map((t) => key(t.schema, t.table)));
  if (str((await db.one('SELECT @@GLOBAL.event_scheduler AS e'))?.e).toUpperCase() === 'ON') {
    const ev = await db.rows(
      `SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n, DEFINER AS d, EVENT_DEFINITION AS b FROM information_schema.EVENTS WHERE STATUS = 'ENABLED'`,
    );
    result.events = ev
      .filter((e) => schemas.has(str(e.s)) || writesInto(str(e.b), flushed).length > 0)
      .map((e) => ({ schema: str(e.s), name: str(e.n), definer: str(e.d) }));
  }
  const trg = await db.rows(
    `SELECT TRIGGER_SCHEMA AS s, TRIGGER_NAME AS n, EVENT_OBJECT_SCHEMA AS os, EVENT_OBJECT_TABLE AS ot, ACTION_STATEMENT AS b
       FROM information_schema.TRIGGERS`,
  );
  for (const t of trg) {
    if (flushedKeys.has(key(str(t.os), str(t.ot)))) continue; // moves with its table: never fires on a twin
    const into = writesInto(str(t.b), flushed);
    if (into.length) {
      result.triggers.push({
        schema: str(t.s),
        name: str(t.n),
        on: `${str(t.os)}.${str(t.ot)}`,
        into: into.map((x) => `${x.schema}.${x.table}`),
      });
    }
  }
  return result;
}

/* The copy's reads (on the set-aside table) */

/** MIN and MAX of a single-column integer key; null for an empty table. */
export async function keyExtentOf(
  db: Db,
  schema: string,
  backup: string,
  key: CopyKey,
): Promise<{ lo: bigint; hi: bigint } | null> {
  const ext = await db.one(keyExtent(schema, backup, key));
  if (ext?.lo === null || ext?.lo === undefined) return null;
  return { lo: BigInt(String(ext.lo)), hi: BigInt(String(ext.hi)) };
}

/** The rows one chunk copies (to count a chunk that committed while its reply was lost). */
export async function chunkRowsOf(
  db: Db,
  schema: string,
  backup: string,
  key: CopyKey | undefined,
  chunk: Chunk,
): Promise<number> {
  return Number((await db.one(countChunkOf(schema, backup, key, chunk)))?.n ?? 0);
}

/** Rows after the keyset start @bf_s* (all when `first`): what a last keyset chunk holds. */
export async function rowsAfterStart(
  db: Db,
  schema: string,
  backup: string,
  key: CopyKey,
  first: boolean,
): Promise<number> {
  return Number((await db.one(countAfterStart(schema, backup, key, first)))?.n ?? 0);
}

/** Whether a session still exists on the server. */
export async function sessionAlive(db: Db, threadId: number): Promise<boolean> {
  return Number((await db.one(sessionExists(threadId)))?.n ?? 0) > 0;
}

/** A numeric server status (SHOW GLOBAL STATUS), e.g. Threads_running; 0 when unknown. */
export async function globalStatus(db: Db, name: string): Promise<number> {
  const r = await db.one('SHOW GLOBAL STATUS LIKE ?', [name]);
  return Number(r?.Value ?? 0) || 0;
}

/** Whether SHOW GLOBAL STATUS lists `name` (a status it does not list reads as 0 forever). */
export async function globalStatusExists(db: Db, name: string): Promise<boolean> {
  const rows = await db.rows('SHOW GLOBAL STATUS LIKE ?', [name]);
  return rows.some((r) => String(r.Variable_name).toLowerCase() === name.toLowerCase());
}

/** Binlog bytes written since a position: the rest of its file and every later file. */
export async function binlogBytesSince(db: Db, from: { file: string; position: number }): Promise<number> {
  const logs = (await db.rows('SHOW BINARY LOGS')).map((r) => ({
    name: str(r.Log_name),
    size: num(r.File_size),
  }));
  const i = logs.findIndex((l) => l.name === from.file);
  if (i < 0) return 0;
  return logs.slice(i).reduce((n, l, k) => n + (k === 0 ? Math.max(0, l.size - from.position) : l.size), 0);
}

/**
 * Global variables' values in one round trip, upper case (SHOW VARIABLES words switches ON/OFF); a
 * variable the server does not have is absent from the map.
 */
export async function globalVariables(db: Db, names: string[]): Promise<Map<string, string>> {
  if (!names.length) return new Map();
  const rows = await db.rows('SHOW GLOBAL VARIABLES WHERE Variable_name IN (?)', [names]);
  return new Map(rows.map((r) => [str(r.Variable_name).toLowerCase(), str(r.Value).toUpperCase()]));
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

/**
 * InnoDB tables under a name that has no table definition: what MariaDB's crash recovery can leave of
 * an interrupted CREATE TABLE of a partitioned table (its `.par` file and partitions, no `.frm`).
 * Empty where the server has no such view (MySQL keeps one data dictionary) or nothing is there.
 */
export async function engineOnlyTables(db: Db, schema: string, table: string): Promise<string[]> {
  const esc = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await db
    .rows(
      `SELECT NAME AS n FROM information_schema.INNODB_SYS_TABLES WHERE NAME = ? OR NAME LIKE ? ESCAPE '\\\\'`,
      [`${schema}/${table}`, `${esc(schema)}/${esc(table)}#P#%`],
    )
    .catch(() => []);
  return rows.map((r) => str(r.n));
}
