/**
 * Discovery and the plan: which tables are flushed, which are left alone and why, and how each is
 * copied. Pure: it works on what the inspector read.
 */
import { createHash } from 'node:crypto';
import type { TableRow } from '../inspect/tables.js';
import type { TableKindRules } from '../flavours/index.js';
import { indexColumns, type Column, type Index, type TableShape } from '../model/table.js';
import type { TwinEdits, TwinSpec } from '../model/twin.js';
import type { CopyKey } from '../model/copy.js';
import { withCarriers } from './carriers.js';
import { SYSTEM_SCHEMAS } from '../sql/reads.js';
import type { ResumePoint } from './resume-chunks.js';
import { backupName, isLeftoverName, twinName } from '../model/table-names.js';
import { namesTable, selectsSchema, skipsTable, type Selection } from '../model/settings.js';

export interface Skipped {
  schema: string;
  table: string;
  reason: string;
}

/** Fingerprint of a table's columns, kept in the journal to notice tables changed by hand since. */
export function columnsHash(columns: { name: string; columnType: string; nullable: boolean }[]): string {
  const text = JSON.stringify(columns.map((c) => [c.name, c.columnType, c.nullable]));
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * Fingerprint of what a table's chunks are cut by and copied into: its columns with their types,
 * character sets and collations, its partitions and its key. A resume cuts on the earlier run's plan
 * only while this is unchanged (a collation change reorders the key; a repartition renames parts).
 */
export function shapeHash(t: Pick<PlannedTable, 'columns' | 'partitions' | 'key'>): string {
  const text = JSON.stringify([
    t.columns.map((c) => [c.name, c.columnType, c.nullable, c.charset, c.collation]),
    t.partitions,
    t.key ? [t.key.index, t.key.columns] : null,
  ]);
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export interface PlannedTable {
  id: number;
  schema: string;
  table: string;
  backup: string;
  twin: string;
  engine: string;
  rowsEstimate: number;
  bytesEstimate: number;
  columns: Column[];
  /** Keyset chunking key, or undefined: copied whole (or per partition). */
  key?: CopyKey;
  partitions: string[];
  /** What the twin is built without or rewrites (the flavour's rules: src/flavours). */
  twinEdits: TwinEdits;
  /** SHOW CREATE TABLE, captured before any change. */
  showCreate: string;
  /** Rows per chunk: --chunk-size, lowered so a chunk stays within CHUNK_BYTES. */
  chunkRows: number;
  /**
   * `--resume` of a run that left it part-copied: its chunk plan and the chunks that committed then
   * (not sent again; its CREATE TABLE is in the binlog already and is not logged again).
   */
  resumed?: ResumePoint;
}

/** Rows per binlog transaction for a table: the row limit, and the byte limit by average row length. */
export function chunkRowsFor(chunkSize: number, avgRowLength: number, chunkBytes: number): number {
  if (avgRowLength <= 0) return chunkSize;
  return Math.max(1, Math.min(chunkSize, Math.floor(chunkBytes / avgRowLength)));
}

export interface Discovery {
  tables: { row: TableRow; shape: TableShape }[];
  skipped: Skipped[];
  /** Problems with the selection itself (unknown names, nothing to do). */
  problems: { message: string; fix: string }[];
}

/** Engines whose tables hold rows we can read and rename safely. */
const FLUSHABLE_ENGINES = new Set([
  'INNODB',
  'MYISAM',
  'ARIA',
  'MEMORY',
  'ARCHIVE',
  'CSV',
  'ROCKSDB',
  'TOKUDB',
]);

export function unflushableReason(row: TableRow): string | undefined {
  const type = row.type.toUpperCase();
  if (type === 'VIEW' || type === 'SYSTEM VIEW') return 'view: holds no rows of its own; left untouched';
  if (type === 'SEQUENCE') return 'sequence: cannot be copied into a BLACKHOLE table; left untouched';
  if (type === 'SYSTEM VERSIONED') {
    return 'system-versioned table: the server refuses to change its engine (MariaDB error 4120); left untouched';
  }
  if (type === 'TEMPORARY') return 'temporary table; left untouched';
  if (type !== 'BASE TABLE') return `${row.type.toLowerCase()}: not a base table; left untouched`;
  const engine = row.engine.toUpperCase();
  if (engine === 'BLACKHOLE') return 'already a BLACKHOLE table: it holds no rows; left untouched';
  if (!FLUSHABLE_ENGINES.has(engine)) {
    return `engine ${row.engine || 'unknown'}: its rows are not stored here (or cannot be copied safely); left untouched`;
  }
  return undefined;
}

/** mysql, information_schema, performance_schema, sys (as the server spells them, any case). */
function isSystemSchema(name: string): boolean {
  return SYSTEM_SCHEMAS.includes(name.toLowerCase());
}

/**
 * Select tables from what exists, following --db, --table and --skip.
 * `allTables` is every non-system table of the server; `shapes` covers the selected schemas.
 */
export function discover(
  sel: Selection,
  allTables: TableRow[],
  allSchemas: string[],
  shapeOf: (schema: string, table: string) => TableShape | undefined,
): Discovery {
  const problems: Discovery['problems'] = [];
  for (const db of sel.databases) {
    if (isSystemSchema(db)) {
      problems.push({
        message: `schema ${JSON.stringify(db)} (from --db) is a system schema: its tables are the server's own and are never flushed`,
        fix: 'remove it from --db',
      });
    } else if (!allSchemas.includes(db)) {
      problems.push({
        message: `schema ${JSON.stringify(db)} (from --db) does not exist`,
        fix: 'check the name in --db',
      });
    }
  }
  for (const s of sel.skip) {
    if (!allSchemas.includes(s) && !isSystemSchema(s)) {
      problems.push({
        message: `schema ${JSON.stringify(s)} (from --skip) does not exist`,
        fix: 'check the name in --skip',
      });
    }
  }
  const inScope = (schema: string) => selectsSchema(sel, schema);
  const skipped: Skipped[] = [];
  for (const t of sel.skipTables ?? []) {
    const row = allTables.find((r) => namesTable(t, r.schema, r.name));
    if (!row) {
      problems.push({
        message: `table ${JSON.stringify(`${t.schema}.${t.table}`)} (from --skip) does not exist`,
        fix: 'check the name in --skip',
      });
    } else if (inScope(row.schema)) {
      skipped.push({ schema: row.schema, table: row.name, reason: 'left out by --skip' });
    }
  }

  const candidates = allTables.filter(
    (t) => inScope(t.schema) && !isLeftoverName(t.name) && !skipsTable(sel, t.schema, t.name),
  );
  const chosen = sel.tables.length ? namedTables(sel, candidates, allSchemas, inScope, problems) : candidates;
  const tables: Discovery['tables'] = [];
  for (const row of chosen) {
    const why = unflushableReason(row);
    if (why) {
      skipped.push({ schema: row.schema, table: row.name, reason: why });
      continue;
    }
    const shape = shapeOf(row.schema, row.name);
    if (!shape || shape.columns.length === 0) {
      skipped.push({
        schema: row.schema,
        table: row.name,
        reason: 'no columns could be read; left untouched',
      });
      continue;
    }
    tables.push({ row, shape });
  }
  if (problems.length === 0 && tables.length === 0) {
    problems.push({
      message: 'the selection holds no table that can be flushed',
      fix: 'check --db, --table and --skip (views, sequences and system-versioned tables are never flushed)',
    });
  }
  return { tables, skipped, problems };
}

/** The tables --table names, among the candidates; what it names wrongly goes to `problems`. */
function namedTables(
  sel: Selection,
  candidates: TableRow[],
  allSchemas: string[],
  inScope: (schema: string) => boolean,
  problems: Discovery['problems'],
): TableRow[] {
  const chosen: TableRow[] = [];
  for (const f of sel.tables) {
    if (f.schema && isSystemSchema(f.schema)) {
      problems.push({
        message: `${f.schema}.${f.table} (from --table) is in a system schema: its tables are the server's own and are never flushed`,
        fix: 'remove it from --table',
      });
      continue;
    }
    if (f.schema && !allSchemas.includes(f.schema)) {
      problems.push({
        message: `schema ${JSON.stringify(f.schema)} (from --table) does not exist`,
        fix: 'check --table',
      });
      continue;
    }
    if (f.schema && !inScope(f.schema)) {
      problems.push({
        message: `--table names ${f.schema}.${f.table}, but schema ${f.schema} is not selected (--db/--skip)`,
        fix: 'add the schema to --db or remove it from --skip',
      });
      continue;
    }
    const hits = candidates.filter((t) => namesTable(f, t.schema, t.name));
    const label = f.schema ? `${f.schema}.${f.table}` : f.table;
    if (hits.length === 0) {
      problems.push({
        message: `table ${JSON.stringify(label)} (from --table) does not exist in the selected schemas`,
        fix: 'check --table and --db',
      });
    }
    for (const h of hits) {
      const why = unflushableReason(h);
      if (why)
        problems.push({
          message: `${h.schema}.${h.name} (from --table) cannot be flushed: ${why}`,
          fix: 'remove it from --table',
        });
      if (!chosen.includes(h)) chosen.push(h);
    }
  }
  return chosen;
}

/** PRIMARY, else the narrowest unique key the flavour's rules let cut chunks (see TableKindRules). */
export function chooseKey(rules: TableKindRules, indexes: Index[]): CopyKey | undefined {
  const usable = indexes.filter((i) => rules.canCutChunks(i));
  const pk = usable.find((i) => i.primary);
  const best =
    pk ?? [...usable].sort((a, b) => a.parts.length - b.parts.length || a.name.localeCompare(b.name))[0];
  return best ? { index: best.name, columns: indexColumns(best) } : undefined;
}

/** Marks the key's ENUM and SET columns (compared by ordinal: see CopyKey.ordinal). */
export function withOrdinals(key: CopyKey | undefined, columns: Column[]): CopyKey | undefined {
  if (!key) return undefined;
  const ordinal = key.columns.map((k) =>
    /^(enum|set)\(/i.test(columns.find((c) => c.name === k)?.columnType ?? ''),
  );
  return ordinal.some(Boolean) ? { ...key, ordinal } : key;
}

export function planTables(
  found: Discovery['tables'],
  showCreates: string[],
  runTag: string,
  rules: TableKindRules,
  chunk: { rows: number; bytes: number } = { rows: 100_000, bytes: 64 * 1024 * 1024 },
): PlannedTable[] {
  return found.map(({ row, shape }, i) => {
    const id = i + 1;
    return {
      id,
      schema: row.schema,
      table: row.name,
      backup: backupName(runTag, id),
      twin: twinName(runTag, id),
      engine: row.engine,
      rowsEstimate: row.rows,
      bytesEstimate: row.dataLength,
      columns: shape.columns,
      key: withCarriers(withOrdinals(chooseKey(rules, shape.indexes), shape.columns), shape.columns),
      partitions: shape.partitions,
      twinEdits: rules.twinEdits(shape),
      showCreate: showCreates[i]!,
      chunkRows: chunkRowsFor(chunk.rows, row.avgRowLength, chunk.bytes),
    };
  });
}

export function twinSpecFor(t: PlannedTable, marker: string): TwinSpec {
  return {
    columns: t.columns,
    ...t.twinEdits,
    partitioned: t.partitions.length > 0,
    marker,
  };
}
