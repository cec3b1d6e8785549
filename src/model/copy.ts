/**
 * The copy's model: the key that cuts a table into chunks, and one chunk of it. The plan
 * (src/plan/chunks.ts) makes chunks, the SQL builders (src/sql/builders.ts) turn one into a
 * statement, the inspector counts its rows.
 */

export interface CopyKey {
  /** Index name to force (PRIMARY or a unique key). */
  index: string;
  columns: string[];
  /**
   * Per column: ENUM or SET, whose index order is the member's ordinal, not its text. Boundaries of
   * such columns are held as the ordinal (`col + 0`), so `col > @v` compares in the index's order.
   */
  ordinal?: boolean[];
  /**
   * Per column, how a boundary value read from the server comes back to it meaning exactly what it
   * meant (see Carrier); absent when a column's values cannot be carried (the table is then copied
   * by one keyset lane, and `uncarried` says why).
   */
  carriers?: Carrier[];
  uncarried?: string;
}

/**
 * How one key column's value is read as text and written back as an SQL literal of the same value,
 * compared in the column's own order:
 * - `number`: integers, DECIMAL, YEAR: the decimal text is the exact value.
 * - `ordinal`: ENUM and SET, whose index order is the member's number (`col + 0`).
 * - `bytes`: binary strings: `X'hex'` of every byte.
 * - `text`: character strings: `_charset X'hex' COLLATE collation`, the very bytes in the column's
 *   character set, compared by its collation (case, accents and trailing spaces as the index has them).
 * - `temporal`: DATE, DATETIME and TIME with their fractions, cast back to the column's type.
 * - `uuid`: MariaDB's UUID type, whose text form converts back to the same 16 bytes.
 *
 * The walk that finds the boundaries proves each one: the literal it built must find exactly the row
 * it was read from (src/inspect/copy-reads.ts keyCutsOf).
 */
export type Carrier =
  | { kind: 'number' }
  | { kind: 'ordinal' }
  | { kind: 'bytes' }
  | { kind: 'text'; charset: string; collation: string }
  | { kind: 'temporal'; type: 'DATE' | 'DATETIME' | 'TIME'; fraction: number }
  | { kind: 'uuid' };

/** A key's value at a chunk boundary: per key column, its carried text (see Carrier). */
export type KeyValue = string[];

export type Chunk =
  | { kind: 'range'; seq: number; lo: bigint; hiEx: bigint | undefined }
  /** after < key <= upTo, in the key's order (no bound where undefined). */
  | { kind: 'cut'; seq: number; after: KeyValue | undefined; upTo: KeyValue | undefined }
  | { kind: 'part'; seq: number; partition: string | undefined };
