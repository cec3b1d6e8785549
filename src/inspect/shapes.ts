/**
 * Reads the typed model of tables (src/model/table.ts) from information_schema: columns, indexes with
 * their parts, partitions and the table options the flavour rules look at. Flush (preflight) and
 * recover read it here, the same way. Read-only.
 */
import type { Db, Row } from '../db/connection.js';
import { atLeast, parseVersion, type ServerVersion } from '../model/version.js';
import { rulesFor } from '../flavours/index.js';
import type { Column, Index, TableShape } from '../model/table.js';
import type { TwinSpec } from '../sql/builders.js';
import { num, str } from './cells.js';

/** Which tables to read: every table of some schemas, or one table. */
type Scope = { schemas: string[] } | { schema: string; table: string };

function where(scope: Scope): { sql: string; params: unknown[] } {
  return 'schemas' in scope
    ? { sql: 'TABLE_SCHEMA IN (?)', params: [scope.schemas] }
    : { sql: 'TABLE_SCHEMA = ? AND TABLE_NAME = ?', params: [scope.schema, scope.table] };
}

/** Columns of information_schema that only some versions have, as expressions (NULL where absent). */
function versionedFields(v: ServerVersion): { srid: string; visible: string; expression: string } {
  if (v.flavour === 'mysql') {
    return {
      srid: atLeast(v, 8, 0, 3) ? 'SRS_ID' : 'NULL',
      visible: atLeast(v, 8, 0, 0) ? 'IS_VISIBLE' : "'YES'",
      expression: atLeast(v, 8, 0, 13) ? 'EXPRESSION' : 'NULL',
    };
  }
  return {
    srid: 'NULL',
    visible: atLeast(v, 10, 6, 0) ? "IF(IGNORED = 'YES', 'NO', 'YES')" : "'YES'",
    expression: 'NULL',
  };
}

/**
 * Whether a COLUMN_DEFAULT is an expression. MySQL marks expression defaults and CURRENT_TIMESTAMP
 * alike DEFAULT_GENERATED; MariaDB quotes literals and prints expressions (and current_timestamp())
 * bare.
 */
export function isDefaultExpression(v: ServerVersion, dflt: string | null, extra: string): boolean {
  if (dflt === null) return false;
  const now = /^(current_timestamp|now)(\(\d*\))?$/i.test(dflt);
  if (v.flavour === 'mysql') return /DEFAULT_GENERATED/i.test(extra) && !now;
  if (now || dflt === 'NULL' || /^'.*'$/s.test(dflt) || /^[bx]'[0-9a-f]*'$/i.test(dflt)) return false;
  return !/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(dflt);
}

function columnFrom(v: ServerVersion, r: Row): Column {
  const extra = str(r.x).toUpperCase();
  const generated = extra.includes('GENERATED') && !extra.includes('DEFAULT_GENERATED');
  return {
    name: str(r.n),
    columnType: str(r.ct),
    nullable: str(r.nl) === 'YES',
    generated: generated ? (extra.includes('VIRTUAL') ? 'virtual' : 'stored') : false,
    invisible: extra.includes('INVISIBLE'),
    charset: r.cs === null ? null : str(r.cs),
    collation: r.co === null ? null : str(r.co),
    defaultExpression: isDefaultExpression(v, r.d === null ? null : str(r.d), extra),
    srid: r.srid === null || r.srid === undefined ? undefined : num(r.srid),
    autoIncrement: extra.includes('AUTO_INCREMENT'),
  };
}

/** Adds one STATISTICS row (one key part) to its index. */
function addIndexPart(indexes: Index[], r: Row): void {
  const name = str(r.n);
  let ix = indexes.find((i) => i.name === name);
  if (!ix) {
    ix = {
      name,
      primary: name === 'PRIMARY',
      unique: num(r.nu) === 0,
      kind: str(r.it).toUpperCase(),
      parts: [],
      invisible: str(r.vis).toUpperCase() === 'NO',
      multiValued: false,
    };
    indexes.push(ix);
  }
  const expression = r.ex === null || r.ex === undefined ? undefined : str(r.ex);
  if (expression && /\barray\)\s*$/i.test(expression)) ix.multiValued = true;
  ix.parts.push({
    column: r.c === null ? undefined : str(r.c),
    expression,
    prefix: r.sp === null ? undefined : num(r.sp),
    descending: str(r.co) === 'D',
    nullable: str(r.nl) === 'YES',
  });
}

const key = (s: string, t: string) => `${s}\u0000${t}`;

/**
 * The index a table map names as the primary key: PRIMARY, or the unique key whose columns are the
 * ones the server marks PRI (it does so for the unique NOT NULL key it takes for a primary key).
 */
function mapKeyOf(shape: TableShape, pri: Set<string> | undefined): string | undefined {
  if (shape.indexes.some((i) => i.primary)) return 'PRIMARY';
  if (!pri?.size) return undefined;
  const same = (i: Index) =>
    i.unique &&
    i.parts.length === pri.size &&
    i.parts.every((p) => p.column !== undefined && pri.has(p.column));
  return shape.indexes.find(same)?.name;
}

/** The typed model of every table in scope, keyed by schema and table (see shapeOf). */
export async function readShapes(db: Db, v: ServerVersion, scope: Scope): Promise<Map<string, TableShape>> {
  const out = new Map<string, TableShape>();
  const w = where(scope);
  const f = versionedFields(v);
  const get = (s: string, t: string) => {
    const k = key(s, t);
    let x = out.get(k);
    if (!x) out.set(k, (x = { engine: '', columns: [], indexes: [], partitions: [] }));
    return x;
  };
  const pri = new Map<string, Set<string>>();
  const cols = await db.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS n, COLUMN_TYPE AS ct, IS_NULLABLE AS nl,
            IFNULL(EXTRA, '') AS x, CHARACTER_SET_NAME AS cs, COLLATION_NAME AS co, COLUMN_DEFAULT AS d,
            ${f.srid} AS srid, COLUMN_KEY AS ck
       FROM information_schema.COLUMNS WHERE ${w.sql} ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
    w.params,
  );
  for (const r of cols) {
    get(str(r.s), str(r.t)).columns.push(columnFrom(v, r));
    if (str(r.ck) === 'PRI')
      pri.set(key(str(r.s), str(r.t)), (pri.get(key(str(r.s), str(r.t))) ?? new Set()).add(str(r.n)));
  }
  const idx = await db.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, INDEX_NAME AS n, NON_UNIQUE AS nu, INDEX_TYPE AS it,
            COLUMN_NAME AS c, SUB_PART AS sp, NULLABLE AS nl, COLLATION AS co, ${f.visible} AS vis,
            ${f.expression} AS ex
       FROM information_schema.STATISTICS WHERE ${w.sql}
      ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    w.params,
  );
  for (const r of idx) addIndexPart(get(str(r.s), str(r.t)).indexes, r);
  // One row per partition: information_schema.PARTITIONS has one per subpartition, and
  // `PARTITION (p)` already reads all of p's subpartitions.
  const parts = await db.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, PARTITION_NAME AS p FROM information_schema.PARTITIONS
      WHERE ${w.sql} AND PARTITION_NAME IS NOT NULL
      GROUP BY TABLE_SCHEMA, TABLE_NAME, PARTITION_NAME
      ORDER BY TABLE_SCHEMA, TABLE_NAME, MIN(PARTITION_ORDINAL_POSITION)`,
    w.params,
  );
  for (const r of parts) get(str(r.s), str(r.t)).partitions.push(str(r.p));
  const tables = await db.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, IFNULL(ENGINE, '') AS e, IFNULL(CREATE_OPTIONS, '') AS o
       FROM information_schema.TABLES WHERE ${w.sql}`,
    w.params,
  );
  for (const r of tables) {
    const shape = out.get(key(str(r.s), str(r.t)));
    if (!shape) continue;
    shape.engine = str(r.e);
    shape.secondaryEngine = /SECONDARY_ENGINE="([^"]*)"/i.exec(str(r.o))?.[1];
    shape.mapKey = mapKeyOf(shape, pri.get(key(str(r.s), str(r.t))));
  }
  return out;
}

/** Columns, indexes and partitions of every table of these schemas, in four queries. */
export async function tableShapes(
  db: Db,
  v: ServerVersion,
  schemas: string[],
): Promise<Map<string, TableShape>> {
  if (schemas.length === 0) return new Map();
  return readShapes(db, v, { schemas });
}

export function shapeOf(
  shapes: Map<string, TableShape>,
  schema: string,
  table: string,
): TableShape | undefined {
  return shapes.get(key(schema, table));
}

/**
 * One live table's columns and what its twin needs (recovery, on a shell of ours): read as preflight
 * reads it, with the rules of the server's own flavour and version.
 */
export async function liveShape(
  db: Db,
  schema: string,
  table: string,
): Promise<Omit<TwinSpec, 'marker' | 'columns'> & { columns: Column[] }> {
  const r = await db.one('SELECT @@version AS v, @@version_comment AS vc');
  const v = parseVersion(str(r?.v), str(r?.vc));
  const shape = shapeOf(await readShapes(db, v, { schema, table }), schema, table) ?? {
    engine: '',
    columns: [],
    indexes: [],
    partitions: [],
  };
  return {
    columns: shape.columns,
    partitioned: shape.partitions.length > 0,
    ...rulesFor(v).twinEdits(shape),
  };
}
