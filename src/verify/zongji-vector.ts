/**
 * Teaches the binlog reader (@vlasky/zongji 0.9) MySQL's VECTOR column (type 242), which it does not
 * know: it reads no metadata byte for the column, so every later column's metadata is misread, and it
 * refuses the column's values. On the wire a VECTOR is a BLOB: a table-map metadata byte giving the
 * length's width, then per row that many bytes of length and the float32 values, little-endian; and
 * the optional metadata (binlog_row_metadata=FULL) counts it among the character columns, with the
 * binary collation, as it does a BLOB. So the column is read as a BLOB, its value handed over as bytes.
 *
 * The patch is on zongji's TableMap class, reached by its file (the package exports only its entry):
 * importing this module once patches every reader in the process. Without zongji's file at that path
 * the import fails at load, which the tests would show at once.
 */
// @ts-expect-error -- zongji ships no typings for its internal modules; the shape used is below.
import { TableMap } from '../../node_modules/@vlasky/zongji/lib/binlog_event.js';

/** MySQL's type code of a VECTOR column, and the BLOB code it is read as. */
export const VECTOR_TYPE = 242;
export const BLOB_TYPE = 252;

interface TableMapEvent {
  columnTypes: number[];
  _readColumnMetadata(parser: unknown): void;
}

interface TableMapPrototype {
  _readColumnMetadata(this: TableMapEvent, parser: unknown): void;
  __vectorPatched?: boolean;
}

/** The positions of `code` in a table map's column types. */
export function positionsOf(types: readonly number[], code: number): number[] {
  return types.flatMap((t, i) => (t === code ? [i] : []));
}

/** `types` with each of `positions` set to `code` (a copy). */
export function withType(types: readonly number[], positions: readonly number[], code: number): number[] {
  const out = [...types];
  for (const i of positions) out[i] = code;
  return out;
}

function patch(proto: TableMapPrototype): void {
  if (proto.__vectorPatched) return;
  const readMetadata = proto._readColumnMetadata;
  proto._readColumnMetadata = function (parser) {
    const vectors = positionsOf(this.columnTypes, VECTOR_TYPE);
    if (vectors.length > 0) this.columnTypes = withType(this.columnTypes, vectors, BLOB_TYPE);
    readMetadata.call(this, parser);
  };
  proto.__vectorPatched = true;
}

patch((TableMap as { prototype: TableMapPrototype }).prototype);
