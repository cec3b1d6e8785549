/**
 * The live state of single names, for the tables a run sets aside (backups, twins, shells) and the
 * guards of restore and recover: exists, engine, marker, opens, empty; and the InnoDB debris a crash
 * can leave under a name. Read-only.
 */
import type { Db } from '../db/connection.js';
import { qualify } from '../sql/quote.js';
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
  const r = await db.one(
    `SELECT TABLE_TYPE AS t, IFNULL(ENGINE, '') AS e, IFNULL(TABLE_COMMENT, '') AS c FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [schema, table],
  );
  if (!r) return { exists: false, engine: '', comment: '', type: '' };
  return { exists: true, engine: str(r.e).toUpperCase(), comment: str(r.c), type: str(r.t) };
}

/** liveTable for many names, in one round trip. */
export async function liveTables(db: Db, tables: { schema: string; table: string }[]): Promise<LiveTable[]> {
  const rows = await db.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, TABLE_TYPE AS y, UPPER(IFNULL(ENGINE, '')) AS e, IFNULL(TABLE_COMMENT, '') AS c
       FROM information_schema.TABLES WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${tables.map(() => '(?, ?)').join(', ')})`,
    tables.flatMap((t) => [t.schema, t.table]),
  );
  return tables.map((t) => {
    const r = rows.find((x) => x.s === t.schema && x.t === t.table);
    if (!r) return { exists: false, engine: '', comment: '', type: '' };
    return { exists: true, engine: String(r.e), comment: String(r.c), type: String(r.y) };
  });
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
