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
}

export type Chunk =
  | { kind: 'range'; seq: number; lo: bigint; hiEx: bigint | undefined }
  | { kind: 'part'; seq: number; partition: string | undefined };
