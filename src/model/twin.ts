/**
 * The BLACKHOLE twin's model: what a flavour's rules (src/flavours) change of the shell, and the whole
 * spec the builder (src/sql/builders.ts, twinAlter) turns into an ALTER.
 */
import type { Column } from './table.js';

/** The shell's columns, as the twin needs them (see src/model/table.ts). */
export type TwinColumn = Pick<
  Column,
  'name' | 'columnType' | 'nullable' | 'generated' | 'invisible' | 'charset' | 'collation'
>;

/** What a flavour's rules (src/flavours) change to turn the shell into a BLACKHOLE twin. */
export interface TwinEdits {
  /** Columns dropped and added back at the same place as plain columns of the same type. */
  plainColumns: string[];
  /** Indexes the twin is built without. */
  droppedIndexes: string[];
  /**
   * A PRIMARY KEY on these columns and prefixes (ascending) takes the place of the index `replaces`
   * (PRIMARY itself, or the unique key a table map names as the primary key); undefined: none.
   */
  primaryKey?: { replaces: string; columns: { column: string; prefix?: number }[] };
  /**
   * Indexes dropped first, in a statement of their own on the shell's own engine (MariaDB's VECTOR
   * indexes: dropped in the ALTER that changes the engine, their internal table is left behind).
   */
  droppedFirst: string[];
  /** Taken off first, in a statement of its own (MySQL refuses it in the same ALTER as ENGINE). */
  dropSecondaryEngine: boolean;
}

export interface TwinSpec extends TwinEdits {
  /** All columns in table order. */
  columns: TwinColumn[];
  partitioned: boolean;
  marker: string;
}
