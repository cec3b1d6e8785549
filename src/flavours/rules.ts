/**
 * What a flavour's table-kind rules answer, over the typed model (src/model/table.ts): what the
 * BLACKHOLE twin must be built without or rewrite, what preflight must refuse, and which keys can cut
 * chunks. One module per flavour implements it (mysql.ts, mariadb.ts); index.ts picks one by version.
 *
 * The twin's one promise: the row events it logs are those the real table would log for the same
 * rows, column by column, with the same table map (types, metadata, and with
 * binlog_row_metadata=FULL the same names, charsets, visibility and primary key). Whatever the engine
 * refuses and does not touch that is left out of the twin; what would change it is refused up front.
 * test/integration/scenarios.test.ts proves it per scenario against a real copy of each table.
 */
import type { ServerVersion } from '../model/version.js';
import type { Index, TableShape } from '../model/table.js';
import type { TwinEdits } from '../model/twin.js';

/**
 * Why a table cannot be flushed as it is, and what the DBA can do to the table itself (preflight adds
 * the other way out: leaving the table out with the skip input, in the surface's words).
 */
export interface KindRefusal {
  message: string;
  fix: string;
}

export interface TableKindRules {
  version: ServerVersion;
  /** The changes that turn the table's shell (its real definition, empty) into a BLACKHOLE twin. */
  twinEdits(shape: TableShape): TwinEdits;
  /** Why preflight must refuse this table (its twin could not log the same row events), if so. */
  refusal(shape: TableShape): KindRefusal | undefined;
  /** Whether a unique index can cut keyset or range chunks (read with FORCE INDEX, in key order). */
  canCutChunks(index: Index): boolean;
}

/**
 * A key that orders and bounds chunks on every flavour: unique, a B-tree, every part a whole column
 * that cannot be NULL (a NULL or a prefix would let two rows share a boundary), and visible (index
 * hints cannot name an invisible or ignored index). A descending part is fine: the server reads it
 * backwards for an ascending ORDER BY.
 */
export function plainUniqueKey(i: Index): boolean {
  return (
    i.unique &&
    i.kind === 'BTREE' &&
    !i.invisible &&
    !i.multiValued &&
    i.parts.length > 0 &&
    i.parts.every((p) => p.column !== undefined && p.prefix === undefined && !p.nullable)
  );
}

/** A unique key the server would name as a table's primary key when it has no PRIMARY. */
function promotable(i: Index): boolean {
  return (
    i.unique &&
    !i.primary &&
    !['FULLTEXT', 'SPATIAL', 'VECTOR'].includes(i.kind) &&
    i.parts.length > 0 &&
    i.parts.every((p) => p.column !== undefined && p.prefix === undefined && !p.nullable)
  );
}

/**
 * The twin's table map names the same primary key as the real table's (binlog_row_metadata=FULL
 * lists its columns and prefixes). A table without PRIMARY KEY whose unique NOT NULL key the server
 * takes for one (mapKey) gets an explicit PRIMARY KEY on the same columns in the twin, so no key the
 * twin leaves out or gains can move it. A table the server names no primary key for loses, in the
 * twin, every unique key that could become one there: one over a virtual generated column, which the
 * server does not promote (seen on MySQL 9.7) but whose twin column is plain.
 */
export function keepTableMapKey(shape: TableShape, edits: TwinEdits): TwinEdits {
  const key = shape.indexes.find((i) => i.name === shape.mapKey);
  if (key && !key.primary) {
    return {
      ...edits,
      droppedIndexes: edits.droppedIndexes.filter((n) => n !== key.name),
      primaryKey: {
        replaces: key.name,
        columns: key.parts.map((p) => ({ column: p.column!, prefix: p.prefix })),
      },
    };
  }
  if (!key) {
    const kept = shape.indexes.filter((i) => !edits.droppedIndexes.includes(i.name) && promotable(i));
    return { ...edits, droppedIndexes: [...edits.droppedIndexes, ...kept.map((i) => i.name)] };
  }
  return edits;
}

/** A CURRENT_TIMESTAMP default, as either flavour prints it: not an expression default. */
export function isNowDefault(dflt: string): boolean {
  return /^(current_timestamp|now)(\(\d*\))?$/i.test(dflt);
}
