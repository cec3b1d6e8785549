/**
 * Pure SQL builders. No I/O here: every statement the engine sends is built by a function in this
 * file from plain data, and each is unit-tested.
 */
import { qualify, quoteIdent, quoteString } from './quote.js';
import type { Chunk, CopyKey, KeyValue } from '../model/copy.js';
import { carriedExpr, keyLiterals } from './key-values.js';
import type { TwinColumn, TwinSpec } from '../model/twin.js';

/** One table of a schema takes another name in it. */
export function renameTable(r: { schema: string; from: string; to: string }): string {
  return `RENAME TABLE ${qualify(r.schema, r.from)} TO ${qualify(r.schema, r.to)}`;
}

/**
 * Atomic: what holds `table` leaves for `parkAs` and `from` takes `table`, in one statement (the twin
 * leaves and the backup comes back; or the shell leaves and the twin comes in).
 */
export function swapBack(s: { schema: string; table: string; parkAs: string; from: string }): string {
  return `RENAME TABLE ${qualify(s.schema, s.table)} TO ${qualify(s.schema, s.parkAs)}, ${qualify(s.schema, s.from)} TO ${qualify(s.schema, s.table)}`;
}

export function dropTable(schema: string, table: string): string {
  return dropTables([{ schema, table }]);
}

/** One DROP for many tables (cheaper per table than one statement each). */
export function dropTables(tables: { schema: string; table: string }[]): string {
  return `DROP TABLE ${tables.map((t) => qualify(t.schema, t.table)).join(', ')}`;
}

/**
 * Drop a table only if it holds no row, decided by the server in one round trip: the emptiness read
 * and the DROP run back to back on one session, with no client round trip between them. The last
 * statement returns one row `{dropped}` (1 when the table was empty and is gone).
 */
export function dropIfEmpty(schema: string, table: string): string[] {
  const name = qualify(schema, table);
  return [
    `SET @bf_empty = NOT EXISTS (SELECT 1 FROM ${name})`,
    `SET @bf_drop = IF(@bf_empty, ${quoteString(dropTables([{ schema, table }]))}, 'DO 0')`,
    'PREPARE bf_drop FROM @bf_drop',
    'EXECUTE bf_drop',
    'DEALLOCATE PREPARE bf_drop',
    'SELECT @bf_empty AS dropped',
  ];
}

export interface ShellSpec {
  /** SHOW CREATE TABLE of the table, taken before any change. */
  showCreate: string;
  schema: string;
  table: string;
  /** The name it is created under; default: the table's own. */
  createAs?: string;
  /** Drop table-level CHECK constraints (MySQL keeps their names unique per schema). */
  stripChecks: boolean;
}

/**
 * The table's real definition for the binlog, from its SHOW CREATE TABLE taken before any change:
 * schema-qualified, with FOREIGN KEY constraints removed (their names are unique per schema and the
 * set-aside original still holds them). Created under `createAs` (default: the table's own name; the
 * twin starts as this definition under its parking name).
 */
export function shellDdl(spec: ShellSpec): string {
  const { showCreate, schema, table, createAs = table } = spec;
  const head = `CREATE TABLE ${quoteIdent(table)} (`;
  if (!showCreate.startsWith(head)) {
    throw new Error(`unexpected SHOW CREATE TABLE output for ${schema}.${table}`);
  }
  const body = showCreate.slice(head.length);
  const lines = body.split('\n');
  // lines[0] is '' (after the opening parenthesis); definitions follow, each on its own line,
  // until the line starting with ')' that carries the table options.
  const close = lines.findIndex((l, i) => i > 0 && l.startsWith(')'));
  if (close < 0) throw new Error(`unexpected SHOW CREATE TABLE output for ${schema}.${table}`);
  const defs = lines.slice(1, close).filter((l) => !isDroppedConstraint(l, spec.stripChecks));
  const fixed = defs.map((l, i) => {
    const t = l.replace(/,$/, '');
    return i < defs.length - 1 ? t + ',' : t;
  });
  return [`CREATE TABLE ${qualify(schema, createAs)} (`, ...fixed, ...lines.slice(close)].join('\n');
}

function isDroppedConstraint(line: string, stripChecks: boolean): boolean {
  const l = line.trimStart();
  if (/^CONSTRAINT `(?:[^`]|``)*` FOREIGN KEY \(/.test(l) || l.startsWith('FOREIGN KEY (')) return true;
  if (stripChecks && (/^CONSTRAINT `(?:[^`]|``)*` CHECK \(/.test(l) || l.startsWith('CHECK ('))) return true;
  return false;
}

function plainColumn(c: TwinColumn): string {
  const cs = c.charset && c.collation ? ` CHARACTER SET ${c.charset} COLLATE ${c.collation}` : '';
  return `${quoteIdent(c.name)} ${c.columnType}${cs} ${c.nullable ? 'NULL' : 'NOT NULL'}${c.invisible ? ' INVISIBLE' : ''}`;
}

function keyPart(p: { column: string; prefix?: number }): string {
  return `${quoteIdent(p.column)}${p.prefix === undefined ? '' : `(${Math.trunc(p.prefix)})`}`;
}

/**
 * Turns the shell (the empty table under the real name) into the BLACKHOLE twin, as the flavour's
 * rules say (src/flavours): the plain columns are dropped and added back at the same place with only
 * their type, charset, nullability and visibility (a generated column's values are then written by
 * the copy); the dropped indexes go; a primary key takes the place of another key where asked;
 * partitioning goes; and the comment marks the twin as ours for this run. One statement, or two when
 * something must go first (a crash between them leaves an empty shell that recovery converts and
 * drops).
 */
export function twinAlter(schema: string, table: string, spec: TwinSpec): string {
  const parts: string[] = [];
  const pk = spec.primaryKey;
  if (pk)
    parts.push(pk.replaces === 'PRIMARY' ? 'DROP PRIMARY KEY' : `DROP INDEX ${quoteIdent(pk.replaces)}`);
  for (const i of spec.droppedIndexes) parts.push(`DROP INDEX ${quoteIdent(i)}`);
  const plain = spec.columns.filter((c) => spec.plainColumns.includes(c.name));
  for (const c of plain) parts.push(`DROP COLUMN ${quoteIdent(c.name)}`);
  for (const c of plain) {
    const idx = spec.columns.indexOf(c);
    const after = idx === 0 ? 'FIRST' : `AFTER ${quoteIdent(spec.columns[idx - 1]!.name)}`;
    parts.push(`ADD COLUMN ${plainColumn(c)} ${after}`);
  }
  if (pk) parts.push(`ADD PRIMARY KEY (${pk.columns.map(keyPart).join(', ')})`);
  parts.push('ENGINE=BLACKHOLE');
  parts.push(`COMMENT=${quoteString(spec.marker)}`);
  let sql = `ALTER TABLE ${qualify(schema, table)} ${parts.join(', ')}`;
  // Never partitioned, although MariaDB would allow it (MySQL refuses a partitioned BLACKHOLE): a
  // server killed in the middle of ALTER TABLE on a partitioned BLACKHOLE table was seen to come back
  // with the table's .frm and without its .par (renamed under a #sql-alter name), a name nobody can
  // open (the torture test found it).
  if (spec.partitioned) sql += ' REMOVE PARTITIONING';
  const first = [
    ...(spec.dropSecondaryEngine ? ['SECONDARY_ENGINE=NULL'] : []),
    ...spec.droppedFirst.map((i) => `DROP INDEX ${quoteIdent(i)}`),
  ];
  if (first.length) sql = `ALTER TABLE ${qualify(schema, table)} ${first.join(', ')};\n${sql}`;
  return sql;
}

/* Copy */

/** The set-aside table a copy reads, in the table's own schema. */
export interface SetAside {
  schema: string;
  backup: string;
}

/** A copy's two tables: the set-aside backup it reads, the twin under `table` it writes; by column. */
export interface CopyTables extends SetAside {
  table: string;
  columns: string[];
}

/** The key's values as boundary expressions (see CopyKey.ordinal). */
function boundaryExprs(key: CopyKey): string {
  return key.columns.map((c, i) => (key.ordinal?.[i] ? `${quoteIdent(c)} + 0` : quoteIdent(c))).join(', ');
}

/** `@bf_<prefix><i>` user variables holding key values server-side. */
export function keyVars(prefix: 's' | 'e', n: number): string[] {
  return Array.from({ length: n }, (_, i) => `@bf_${prefix}${i}`);
}

/** (k0,k1,..) > (v0,v1,..) spelled out so both servers use a range scan. */
export function rowGreaterThan(columns: string[], vars: string[]): string {
  const ors: string[] = [];
  for (let i = 0; i < columns.length; i++) {
    const ands = columns.slice(0, i).map((c, j) => `${quoteIdent(c)} = ${vars[j]}`);
    ands.push(`${quoteIdent(columns[i]!)} > ${vars[i]}`);
    ors.push(ands.length > 1 ? `(${ands.join(' AND ')})` : ands[0]!);
  }
  return ors.length > 1 ? `(${ors.join(' OR ')})` : ors[0]!;
}

/** (k0,k1,..) <= (v0,v1,..) */
export function rowAtMost(columns: string[], vars: string[]): string {
  const ors: string[] = [];
  for (let i = 0; i < columns.length; i++) {
    const ands = columns.slice(0, i).map((c, j) => `${quoteIdent(c)} = ${vars[j]}`);
    const last = i === columns.length - 1;
    ands.push(`${quoteIdent(columns[i]!)} ${last ? '<=' : '<'} ${vars[i]}`);
    ors.push(ands.length > 1 ? `(${ands.join(' AND ')})` : ands[0]!);
  }
  return ors.length > 1 ? `(${ors.join(' OR ')})` : ors[0]!;
}

function forceIndex(key: CopyKey): string {
  return key.index === 'PRIMARY' ? 'FORCE INDEX (PRIMARY)' : `FORCE INDEX (${quoteIdent(key.index)})`;
}

/**
 * Finds the last key of the next chunk server-side: sets @bf_e* to the key `size` rows past the
 * current start (or NULL when fewer rows remain), and returns one row `{last}` (1 when this is the
 * final chunk).
 */
export function nextBoundary(from: SetAside, key: CopyKey, size: number, first: boolean): string[] {
  const cols = key.columns.map(quoteIdent).join(', ');
  const e = keyVars('e', key.columns.length);
  const where = first ? '' : ` WHERE ${rowGreaterThan(key.columns, keyVars('s', key.columns.length))}`;
  return [
    `SET ${e.map((v) => `${v} = NULL`).join(', ')}`,
    `SELECT ${boundaryExprs(key)} INTO ${e.join(', ')} FROM ${qualify(from.schema, from.backup)} ${forceIndex(key)}${where} ORDER BY ${cols} LIMIT 1 OFFSET ${size - 1}`,
    `SELECT ${e[0]} IS NULL AS last`,
  ];
}

export interface ChunkBounds {
  /** No lower bound (first chunk). */
  first: boolean;
  /** No upper bound (last chunk). */
  last: boolean;
}

/** One chunk: rows after @bf_s* up to @bf_e* (either bound may be open). */
export function copyKeysetChunk(t: CopyTables, key: CopyKey, bounds: ChunkBounds): string {
  const conds: string[] = [];
  if (!bounds.first) conds.push(rowGreaterThan(key.columns, keyVars('s', key.columns.length)));
  if (!bounds.last) conds.push(rowAtMost(key.columns, keyVars('e', key.columns.length)));
  const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  return `${insertSelect(t)} ${forceIndex(key)}${where}`;
}

/** lo <= key < hi on a dense integer key (no upper bound when `hi` is undefined). */
export interface KeyRange {
  lo: bigint;
  hi: bigint | undefined;
}

/** One chunk of a dense integer key: lo <= key < hi. */
export function copyRange(t: CopyTables, key: CopyKey, range: KeyRange): string {
  return `${insertSelect(t)} ${forceIndex(key)} WHERE ${rangeWhere(key, range)}`;
}

/** lo <= key < hi on the key's single integer column (no upper bound when `hi` is undefined). */
function rangeWhere(key: CopyKey, { lo, hi }: KeyRange): string {
  const k = quoteIdent(key.columns[0]!);
  return `${k} >= ${lo}${hi === undefined ? '' : ` AND ${k} < ${hi}`}`;
}

/** Smallest and largest value of a single-column key (for range chunks). */
export function keyExtent(from: SetAside, key: CopyKey): string {
  const k = quoteIdent(key.columns[0]!);
  return `SELECT MIN(${k}) AS lo, MAX(${k}) AS hi FROM ${qualify(from.schema, from.backup)}`;
}

/* Cuts: chunk boundaries found ahead by a walk over the key, carried through the client */

function carriersOf(key: CopyKey) {
  if (!key.carriers) throw new Error(`the key ${key.index} cannot carry boundaries: ${key.uncarried ?? '?'}`);
  return key.carriers;
}

/**
 * The walk's next cut: the key of the row `size` rows after `after` (after the start when undefined),
 * each column as its carrier's text (`k0`, `k1`, ...); no row when fewer remain.
 */
export function nextCut(from: SetAside, key: CopyKey, size: number, after: KeyValue | undefined): string {
  const carriers = carriersOf(key);
  const exprs = key.columns.map((c, i) => `${carriedExpr(c, carriers[i]!)} AS k${i}`).join(', ');
  const where = after ? ` WHERE ${rowGreaterThan(key.columns, keyLiterals(carriers, after))}` : '';
  const cols = key.columns.map(quoteIdent).join(', ');
  return `SELECT ${exprs} FROM ${qualify(from.schema, from.backup)} ${forceIndex(key)}${where} ORDER BY ${cols} LIMIT 1 OFFSET ${Math.max(0, Math.trunc(size) - 1)}`;
}

/** How many rows a carried key value finds (`n`): exactly 1 when the literal means the row it came from. */
export function cutFinds(from: SetAside, key: CopyKey, value: KeyValue): string {
  const lits = keyLiterals(carriersOf(key), value);
  const eq = key.columns.map((c, i) => `${quoteIdent(c)} = ${lits[i]}`).join(' AND ');
  return `SELECT COUNT(*) AS n FROM ${qualify(from.schema, from.backup)} ${forceIndex(key)} WHERE ${eq}`;
}

/** after < key <= upTo (either bound open), as a WHERE clause ('' when both are open). */
function cutWhere(key: CopyKey, after: KeyValue | undefined, upTo: KeyValue | undefined): string {
  const conds: string[] = [];
  if (after) conds.push(rowGreaterThan(key.columns, keyLiterals(carriersOf(key), after)));
  if (upTo) conds.push(rowAtMost(key.columns, keyLiterals(carriersOf(key), upTo)));
  return conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
}

/** Re-seat @bf_s* on the last row already copied (after a lost connection): the `rows`-th row. */
export function seekStart(from: SetAside, key: CopyKey, rows: number): string[] {
  const cols = key.columns.map(quoteIdent).join(', ');
  const s = keyVars('s', key.columns.length);
  return [
    `SELECT ${boundaryExprs(key)} INTO ${s.join(', ')} FROM ${qualify(from.schema, from.backup)} ${forceIndex(key)} ORDER BY ${cols} LIMIT 1 OFFSET ${rows - 1}`,
  ];
}

/** Rows in a dense-integer range (to count a chunk the binlog shows committed). */
export function countRange(from: SetAside, key: CopyKey, range: KeyRange): string {
  return `SELECT COUNT(*) AS n FROM ${qualify(from.schema, from.backup)} ${forceIndex(key)} WHERE ${rangeWhere(key, range)}`;
}

/** Rows after @bf_s* (all rows when `first`): what a last keyset chunk holds. */
export function countAfterStart(from: SetAside, key: CopyKey, first: boolean): string {
  const where = first ? '' : ` WHERE ${rowGreaterThan(key.columns, keyVars('s', key.columns.length))}`;
  return `SELECT COUNT(*) AS n FROM ${qualify(from.schema, from.backup)} ${forceIndex(key)}${where}`;
}

/** The end of this chunk becomes the start of the next. */
export function advanceStart(n: number): string {
  const s = keyVars('s', n);
  const e = keyVars('e', n);
  return `SET ${s.map((v, i) => `${v} = ${e[i]}`).join(', ')}`;
}

/** The whole table (or one partition) in one statement. */
export function copyAll(t: CopyTables, partition?: string): string {
  const part = partition ? ` PARTITION (${quoteIdent(partition)})` : '';
  return `${insertSelect(t)}${part}`;
}

function insertSelect(t: CopyTables): string {
  const cols = t.columns.map(quoteIdent).join(', ');
  return `INSERT INTO ${qualify(t.schema, t.table)} (${cols}) SELECT ${cols} FROM ${qualify(t.schema, t.backup)}`;
}

/* Session */

export function setSqlLogBin(on: boolean): string {
  return `SET SESSION sql_log_bin = ${on ? 1 : 0}`;
}

/** Whether a session may switch binlogging off and on: both, in one round trip. */
export const SQL_LOG_BIN_PROBE = 'SET SESSION sql_log_bin = 0; SET SESSION sql_log_bin = 1';

/** The session's sql_mode and lock wait, as every session of a run has them. */
export function sessionBasics(sqlMode: string, lockWaitTimeout: number): string {
  return `SET SESSION sql_mode = '${sqlMode}', SESSION lock_wait_timeout = ${lockWaitTimeout}`;
}

/** One session variable; the value an SQL literal, as the dialect spells it. */
export function setSession(variable: string, value: string): string {
  return `SET SESSION ${variable} = ${value}`;
}

/* The run lock: named locks of the server (GET_LOCK), held by a session until released or closed. */

/** Try to take a named lock, waiting up to `waitS` seconds on the server; returns `got` = 1 on success. */
export function getLock(name: string, waitS: number): string {
  return `SELECT GET_LOCK(${quoteString(name)}, ${Math.max(0, Math.floor(waitS))}) AS got`;
}

export function releaseLock(name: string): string {
  return `DO RELEASE_LOCK(${quoteString(name)})`;
}

/** One row: the connection id holding each named lock (`h0`, `h1`, ...), NULL where it is free. */
export function lockHolders(names: string[]): string {
  return `SELECT ${names.map((n, i) => `IS_USED_LOCK(${quoteString(n)}) AS h${i}`).join(', ')}`;
}

/** The server's read_only switch (global: it affects every session but the exempt ones). */
export function setGlobalReadOnly(on: boolean): string {
  return `SET GLOBAL read_only = ${on ? 'ON' : 'OFF'}`;
}

/**
 * MySQL's super_read_only switch: ON refuses even the sessions read_only lets write (and forces
 * read_only ON); OFF leaves read_only as it is.
 */
export function setGlobalSuperReadOnly(on: boolean): string {
  return `SET GLOBAL super_read_only = ${on ? 'ON' : 'OFF'}`;
}

/* Chunks of the copy cursor (src/plan/chunks.ts) */

/** Copies one chunk from the set-aside table into the twin under the table's name. */
export function copyPlannedChunk(t: CopyTables, key: CopyKey | undefined, chunk: Chunk): string {
  if (chunk.kind === 'part') return copyAll(t, chunk.partition);
  if (chunk.kind === 'cut') {
    const k = keyOf(key);
    return `${insertSelect(t)} ${forceIndex(k)}${cutWhere(k, chunk.after, chunk.upTo)}`;
  }
  return copyRange(t, keyOf(key), { lo: chunk.lo, hi: chunk.hiEx });
}

/** The rows of one chunk in the set-aside table (to count a chunk the binlog shows committed). */
export function countChunkOf(from: SetAside, key: CopyKey | undefined, chunk: Chunk): string {
  if (chunk.kind === 'part') {
    const part = chunk.partition ? ` PARTITION (${quoteIdent(chunk.partition)})` : '';
    return `SELECT COUNT(*) AS n FROM ${qualify(from.schema, from.backup)}${part}`;
  }
  if (chunk.kind === 'cut') {
    const k = keyOf(key);
    return `SELECT COUNT(*) AS n FROM ${qualify(from.schema, from.backup)} ${forceIndex(k)}${cutWhere(k, chunk.after, chunk.upTo)}`;
  }
  return countRange(from, keyOf(key), { lo: chunk.lo, hi: chunk.hiEx });
}

function keyOf(key: CopyKey | undefined): CopyKey {
  if (!key) throw new Error('a range chunk needs a key');
  return key;
}

/* Sessions and the server */

/** Stops the statement a session runs (the session stays). */
export function killQuery(threadId: number): string {
  return `KILL QUERY ${Math.trunc(threadId)}`;
}

/** Ends a session (and rolls back what it runs). */
export function killConnection(threadId: number): string {
  return `KILL CONNECTION ${Math.trunc(threadId)}`;
}

/** Whether a session still exists (one row `{n}`). */
export function sessionExists(threadId: number): string {
  return `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ${Math.trunc(threadId)}`;
}

/** Starts a new binlog file, itself not written to the binlog. */
export function rotateBinlog(): string {
  return 'FLUSH NO_WRITE_TO_BINLOG BINARY LOGS';
}

/** MariaDB: the GTID the session's last binlogged transaction got (its own, not the server's position). */
export function lastGtid(): string {
  return 'SELECT @@SESSION.last_gtid AS g';
}
