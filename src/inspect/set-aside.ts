/**
 * The live state of single names, for the tables a run sets aside (backups, twins, shells) and the
 * guards of restore and recover: exists, engine, marker, opens, empty; and the InnoDB debris a crash
 * can leave under a name. Read-only.
 */
import type { Db } from '../db/connection.js';
import { anyRow, existingOf, innodbTablesNamed, liveTableOf, liveTablesOf, openTable } from '../sql/reads.js';
import { str } from './cells.js';
import type { TableName } from './writers.js';

/** Live state of one name, for recovery and guards. */
export interface LiveTable {
  exists: boolean;
  engine: string;
  comment: string;
  type: string;
}

export async function liveTable(db: Db, schema: string, table: string): Promise<LiveTable> {
  const r = await db.one(...liveTableOf(schema, table));
  if (!r) return { exists: false, engine: '', comment: '', type: '' };
  return { exists: true, engine: str(r.e).toUpperCase(), comment: str(r.c), type: str(r.t) };
}

/** liveTable for many names, in one round trip. */
export async function liveTables(db: Db, tables: { schema: string; table: string }[]): Promise<LiveTable[]> {
  const rows = await db.rows(...liveTablesOf(tables));
  return tables.map((t) => {
    const r = rows.find((x) => x.s === t.schema && x.t === t.table);
    if (!r) return { exists: false, engine: '', comment: '', type: '' };
    return { exists: true, engine: String(r.e), comment: String(r.c), type: String(r.y) };
  });
}

/** Which of these tables exist (in information_schema), in one round trip. */
export async function existingTables(db: Db, tables: TableName[]): Promise<TableName[]> {
  if (tables.length === 0) return [];
  const rows = await db.rows(...existingOf(tables));
  return rows.map((r) => ({ schema: str(r.s), table: str(r.t) }));
}

/**
 * Why the server cannot open a table (a definition whose engine part is missing, say), or undefined
 * when it can. information_schema does not always tell: for a partitioned table it shows the engine
 * of the definition.
 */
export async function cannotOpen(db: Db, schema: string, table: string): Promise<string | undefined> {
  try {
    await db.rows(...openTable(schema, table));
    return undefined;
  } catch (e) {
    const code = (e as { errno?: number }).errno;
    // 1932: doesn't exist in engine; 1812: tablespace missing; 1017/1030/1033: files the engine cannot read.
    if (code !== undefined && [1932, 1812, 1017, 1030, 1033].includes(code)) return (e as Error).message;
    throw e;
  }
}

/**
 * Whether the engine has no data at all for a table it has a definition of (1932: "doesn't exist in
 * engine"): such a table holds no row. Any other answer (it opens, or another error): false.
 */
export async function noEngineData(db: Db, schema: string, table: string): Promise<boolean> {
  try {
    await db.rows(...openTable(schema, table));
    return false;
  } catch (e) {
    return (e as { errno?: number }).errno === 1932;
  }
}

export async function isEmpty(db: Db, schema: string, table: string): Promise<boolean> {
  const r = await db.rows(...anyRow(schema, table));
  return r.length === 0;
}

/**
 * InnoDB tables under a name that has no table definition: what MariaDB's crash recovery can leave of
 * an interrupted CREATE TABLE of a partitioned table (its `.par` file and partitions, no `.frm`).
 * Empty where the server has no such view (MySQL keeps one data dictionary) or nothing is there.
 */
export async function engineOnlyTables(db: Db, schema: string, table: string): Promise<string[]> {
  const rows = await db.rows(...innodbTablesNamed(schema, table)).catch(() => []);
  return rows.map((r) => str(r.n));
}
