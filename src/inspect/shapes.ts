/**
 * Reads the typed model of tables (src/model/table.ts) from information_schema: columns, indexes with
 * their parts, partitions and the table options the flavour rules look at. Flush (preflight) and
 * recover read it here, the same way. Read-only.
 */
import type { Db, Row } from '../db/connection.js';
import type { ServerVersion } from '../model/version.js';
import {
  shapeColumns,
  shapeIndexParts,
  shapePartitions,
  shapeTableOptions,
  versionQuery,
  type Scope,
} from '../sql/reads.js';
import { dialectFor, flavourFacts, parseVersion, rulesFor } from '../flavours/index.js';
import type { Column, Index, TableShape } from '../model/table.js';
import type { TwinSpec } from '../model/twin.js';
import { num, str } from './cells.js';

/**
 * Whether a COLUMN_DEFAULT is an expression: the flavour's rule (MySQL marks expression defaults
 * DEFAULT_GENERATED; MariaDB prints them bare).
 */
export function isDefaultExpression(v: ServerVersion, dflt: string | null, extra: string): boolean {
  return dflt !== null && flavourFacts(v.flavour).isDefaultExpression(dflt, extra);
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
  const get = (s: string, t: string) => {
    const k = key(s, t);
    let x = out.get(k);
    if (!x) out.set(k, (x = { engine: '', columns: [], indexes: [], partitions: [] }));
    return x;
  };
  const pri = new Map<string, Set<string>>();
  const fields = dialectFor(v).infoSchemaFields;
  const cols = await db.rows(...shapeColumns(fields, scope));
  for (const r of cols) {
    get(str(r.s), str(r.t)).columns.push(columnFrom(v, r));
    if (str(r.ck) === 'PRI')
      pri.set(key(str(r.s), str(r.t)), (pri.get(key(str(r.s), str(r.t))) ?? new Set()).add(str(r.n)));
  }
  const idx = await db.rows(...shapeIndexParts(fields, scope));
  for (const r of idx) addIndexPart(get(str(r.s), str(r.t)).indexes, r);
  const parts = await db.rows(...shapePartitions(scope));
  for (const r of parts) get(str(r.s), str(r.t)).partitions.push(str(r.p));
  const tables = await db.rows(...shapeTableOptions(scope));
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
  const r = await db.one(...versionQuery());
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
