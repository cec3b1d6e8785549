/**
 * "Identical" as the project defines it: per table CHECKSUM TABLE EXTENDED, SHOW CREATE TABLE, its
 * triggers and the foreign keys that reference it; per schema the full list of objects.
 */
import { createHash } from 'node:crypto';
import type mysql from 'mysql2/promise';
import { q, rows } from './db.js';

export interface TableSnapshot {
  /**
   * CHECKSUM TABLE EXTENDED. On MariaDB it is not stable for tables with generated columns (seen on
   * 10.11: the same rows inserted into a copy of the table give another value, virtual or stored); on
   * MySQL 9.7 not for tables with a functional or multi-valued index, nor on MariaDB 11.8 for tables
   * with a long UNIQUE key (the hidden column behind it: another value after a rename and back, same
   * rows), and not for ARCHIVE tables (0 until a read of the table, then a value, then 0 again after
   * FLUSH TABLES). For those tables `content` alone decides.
   */
  checksum: string;
  /** sha256 over every column of every row (invisible ones too), in a fixed order. */
  content: string;
  create: string;
  triggers: string[];
  referencedBy: string[];
  count: number;
}

export interface SchemaSnapshot {
  objects: string[];
  tables: Record<string, TableSnapshot>;
}

export async function snapshotSchema(c: mysql.Connection, schema: string): Promise<SchemaSnapshot> {
  const objs = await rows<{ n: string; t: string; e: string | null }>(
    c,
    'SELECT TABLE_NAME AS n, TABLE_TYPE AS t, ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY BINARY TABLE_NAME',
    [schema],
  );
  const out: SchemaSnapshot = { objects: objs.map((o) => `${o.n} ${o.t} ${o.e ?? ''}`), tables: {} };
  for (const o of objs) {
    if (o.t !== 'BASE TABLE' && o.t !== 'SYSTEM VERSIONED') continue;
    const name = `${q(schema)}.${q(o.n)}`;
    const [ck] = await rows<Record<string, unknown>>(c, `CHECKSUM TABLE ${name} EXTENDED`);
    const cols = await rows<{ n: string; x: string }>(
      c,
      'SELECT COLUMN_NAME AS n, EXTRA AS x FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [schema, o.n],
    );
    const list = cols.map((x) => `HEX(${q(x.n)})`).join(', ');
    const all = await rows<Record<string, unknown>>(
      c,
      `SELECT ${list} FROM ${name} ORDER BY ${cols.map((_, i) => i + 1).join(', ')}`,
    );
    const content = createHash('sha256')
      .update(JSON.stringify(all.map((r) => Object.values(r))))
      .digest('hex');
    const [hidden] = await rows<{ n: number }>(
      c,
      `SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
          AND (COLUMN_NAME IS NULL OR (INDEX_TYPE = 'HASH' AND NON_UNIQUE = 0 AND ? <> 'MEMORY'))`,
      [schema, o.n, (o.e ?? '').toUpperCase()],
    );
    const unstable =
      cols.some((x) => /GENERATED/i.test(x.x) && !/DEFAULT_GENERATED/i.test(x.x)) ||
      Number(hidden?.n) > 0 ||
      /^ARCHIVE$/i.test(o.e ?? '');
    const [cr] = await rows<Record<string, unknown>>(c, `SHOW CREATE TABLE ${name}`);
    const trg = await rows<Record<string, unknown>>(
      c,
      `SELECT TRIGGER_NAME AS n, ACTION_TIMING AS t, EVENT_MANIPULATION AS e, ACTION_STATEMENT AS s, ACTION_ORDER AS o
         FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME`,
      [schema, o.n],
    );
    const refs = await rows<Record<string, unknown>>(
      c,
      `SELECT CONSTRAINT_SCHEMA AS s, TABLE_NAME AS t, CONSTRAINT_NAME AS n, UPDATE_RULE AS u, DELETE_RULE AS d
         FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?
        ORDER BY 1, 2, 3`,
      [schema, o.n],
    );
    const [cnt] = await rows<{ n: number }>(c, `SELECT COUNT(*) AS n FROM ${name}`);
    out.tables[o.n] = {
      checksum: unstable ? 'see content' : String(ck?.Checksum),
      content,
      create: String(cr?.['Create Table']),
      triggers: trg.map((t) => JSON.stringify(t)),
      referencedBy: refs.map((r) => JSON.stringify(r)),
      count: Number(cnt?.n),
    };
  }
  return out;
}

/** Tables named like ours anywhere on the server (there must be none after any run). */
export async function leftovers(c: mysql.Connection): Promise<string[]> {
  const r = await rows<{ s: string; n: string }>(
    c,
    "SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_NAME LIKE '\\_bf\\_%' OR TABLE_NAME LIKE '\\_BKTB\\_%' ORDER BY BINARY TABLE_SCHEMA, BINARY TABLE_NAME",
  );
  return r.map((x) => `${x.s}.${x.n}`);
}

/**
 * InnoDB's own tables of a schema under a name like ours that the server has no table for: an index's
 * internal table left behind, say (MariaDB 11.8 keeps one per VECTOR index, `<table>#i#<n>`, and left
 * it behind when the index was dropped with the engine change). As `schema/name`.
 */
export async function engineLeftovers(c: mysql.Connection, schema: string): Promise<string[]> {
  const like = `${schema.replace(/[\\%_]/g, (x) => `\\${x}`)}/\\_bf\\_%`;
  const innodb = await rows<{ n: string }>(
    c,
    'SELECT NAME AS n FROM information_schema.INNODB_SYS_TABLES WHERE NAME LIKE ?',
    [like],
  ).catch(() =>
    rows<{ n: string }>(c, 'SELECT NAME AS n FROM information_schema.INNODB_TABLES WHERE NAME LIKE ?', [
      like,
    ]),
  );
  const tables = new Set((await leftovers(c)).map((t) => t.replace('.', '/')));
  return innodb.map((x) => x.n).filter((n) => !tables.has(n.replace(/#[pP]#.*$/, '')));
}
