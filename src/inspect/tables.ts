/** The tables of the server: the list, foreign keys between them, their definitions. Read-only. */
import type { Db, Row } from '../db/connection.js';
import type { ForeignKeyEdge } from '../model/table.js';
import type { Flavour } from '../model/version.js';
import { flavourFacts } from '../flavours/index.js';
import {
  boundedCount,
  foreignKeysTouching,
  sampledRowLength,
  showCreateTable,
  tablesOf,
  userSchemas,
} from '../sql/reads.js';
import { num, str } from './cells.js';

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
  const rows = await db.rows(...tablesOf(schemas));
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
  const rows = await db.rows(...foreignKeysTouching(schemas));
  return rows.map((r) => ({
    childSchema: str(r.cs),
    child: str(r.ct),
    parentSchema: str(r.ps),
    parent: str(r.pt),
  }));
}

export async function listSchemas(db: Db): Promise<string[]> {
  const rows = await db.rows(...userSchemas());
  return rows.map((r) => str(r.s));
}

/** SHOW CREATE TABLE for many tables, batched into few round trips. */
export async function showCreateMany(db: Db, tables: { schema: string; table: string }[]): Promise<string[]> {
  const out: string[] = [];
  const batch = 200;
  for (let i = 0; i < tables.length; i += batch) {
    const part = tables.slice(i, i + batch);
    const sets = await db.multi(part.map((t) => showCreateTable(t.schema, t.table)));
    for (const set of sets) {
      const row = (set as Row[])[0];
      const text = row?.['Create Table'];
      if (typeof text !== 'string') throw new Error('SHOW CREATE TABLE returned no definition');
      out.push(text);
    }
  }
  return out;
}

/** Server errors of a statement stopped by its time limit: MySQL 3024, MariaDB 1969. */
const TIMED_OUT = new Set([3024, 1969]);

/** A table's exact row count, or undefined when counting took longer than `ms` (the server stopped it). */
export async function countRows(
  db: Db,
  flavour: Flavour,
  schema: string,
  table: string,
  ms: number,
): Promise<number | undefined> {
  try {
    return num((await db.one(...boundedCount(schema, table, ms, flavourFacts(flavour).boundedSelect)))?.n);
  } catch (e) {
    if (TIMED_OUT.has((e as { errno?: number }).errno ?? 0)) return undefined;
    throw e;
  }
}

/** The average length of a row's values, over a sample of its rows (0 for an empty table). */
export async function averageRowLength(
  db: Db,
  schema: string,
  table: string,
  columns: string[],
): Promise<number> {
  return Math.round(num((await db.one(...sampledRowLength(schema, table, columns, 1000)))?.l));
}
