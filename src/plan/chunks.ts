/**
 * The copy as a pure cursor: how a table's rows are cut into binlog transactions, from the table's
 * shape and what the server said of its key (a single integer key's extent, or the cuts a walk over
 * the key found). No SQL here; `src/sql/builders.ts` turns a chunk into a statement.
 *
 * - `range`: a single integer key that is dense enough: chunks [lo + i*step, lo + (i+1)*step), the
 *   last one open-ended.
 * - `cuts`: any other key whose values travel exactly (model/copy.ts Carrier): chunks between the
 *   boundaries a walk over the key found ahead, each `after < key <= upTo` in the key's own order.
 * - `parts`: no usable key: the whole table in one statement, or one statement per partition.
 * - `keyset`: a key whose values cannot travel: one chunk after the other on one session, each
 *   boundary found by the server (kept in session variables, so no key value leaves it).
 *
 * The chunks of a range, cuts or parts plan are known ahead, so several workers copy one table at once.
 */

import type { Chunk, CopyKey, KeyValue } from '../model/copy.js';

export type CopyPlan =
  | { kind: 'range'; lo: bigint; hi: bigint; step: bigint }
  | { kind: 'cuts'; cuts: KeyValue[] }
  | { kind: 'parts'; parts: (string | undefined)[] }
  /** `why`: the key has carriers, but the walk could not carry a boundary (the plan line says so). */
  | { kind: 'keyset'; step: number; why?: string };

export interface CopyShape {
  /** The chunking key's columns; none: copied whole or per partition. */
  keyColumns?: string[];
  /** The first key column's type is an integer type (`int`, `bigint unsigned`, ...). */
  integerKey: boolean;
  /** Every key column's values travel through the client exactly (the key has carriers). */
  carried: boolean;
  partitions: string[];
  rowsEstimate: number;
  bytesEstimate: number;
  chunkRows: number;
  chunkBytes: number;
}

/** A table this far under one chunk (by the server's estimates) is copied in one statement. */
export const WHOLE_TABLE_MARGIN = 4;

const INTEGER = /^(tiny|small|medium|big)?int\b/i;
export const isIntegerType = (columnType: string): boolean => INTEGER.test(columnType);

/** Whether `planCopy` needs the key's MIN and MAX (read from the set-aside table). */
export function needsExtent(s: CopyShape): boolean {
  return !copiedWhole(s) && s.keyColumns?.length === 1 && s.integerKey;
}

function copiedWhole(s: CopyShape): boolean {
  if (!s.keyColumns?.length) return true;
  return (
    s.rowsEstimate * WHOLE_TABLE_MARGIN <= s.chunkRows && s.bytesEstimate * WHOLE_TABLE_MARGIN <= s.chunkBytes
  );
}

/** Whether `planCopy` wants the cuts of a walk over the key, given what it made of the extent. */
export function needsCuts(s: CopyShape, planned: CopyPlan): boolean {
  return planned.kind === 'keyset' && s.carried;
}

/**
 * How the table is copied. `extent` is the key's MIN and MAX (null for an empty table), given when
 * `needsExtent`; `cuts` the boundaries a walk found, given when `needsCuts` (or why the walk could
 * not carry them: one keyset lane then, which says why). A range is taken only when dense enough (at
 * most twice
 * as many key values as rows, plus one chunk), so no chunk is mostly empty.
 */
export function planCopy(
  s: CopyShape,
  extent?: { lo: bigint; hi: bigint } | null,
  cuts?: KeyValue[] | string,
): CopyPlan {
  if (copiedWhole(s)) {
    return {
      kind: 'parts',
      parts: !s.keyColumns?.length && s.partitions.length ? [...s.partitions] : [undefined],
    };
  }
  if (needsExtent(s) && extent !== undefined) {
    if (extent === null) return { kind: 'range', lo: 0n, hi: -1n, step: 1n };
    const { lo, hi } = extent;
    if (hi - lo + 1n <= 2n * BigInt(Math.max(s.rowsEstimate, 1)) + BigInt(s.chunkRows)) {
      return { kind: 'range', lo, hi, step: BigInt(s.chunkRows) };
    }
  }
  if (s.carried && Array.isArray(cuts)) return { kind: 'cuts', cuts: cuts.map((c) => [...c]) };
  return { kind: 'keyset', step: s.chunkRows, ...(s.carried && typeof cuts === 'string' && { why: cuts }) };
}

/** How many chunks a plan has, when known ahead (a keyset's boundaries are found as it goes). */
export function chunkCount(p: CopyPlan): number | undefined {
  if (p.kind === 'parts') return p.parts.length;
  if (p.kind === 'keyset') return undefined;
  if (p.kind === 'cuts') return p.cuts.length + 1;
  if (p.hi < p.lo) return 0;
  return Number((p.hi - p.lo) / p.step) + 1;
}

/** The `seq`-th chunk (0-based) of a range or parts plan; undefined past the end. */
export function chunkAt(p: CopyPlan, seq: number): Chunk | undefined {
  const n = chunkCount(p);
  if (n === undefined || seq < 0 || seq >= n) return undefined;
  if (p.kind === 'parts') return { kind: 'part', seq, partition: p.parts[seq] };
  if (p.kind === 'cuts') return { kind: 'cut', seq, after: p.cuts[seq - 1], upTo: p.cuts[seq] };
  if (p.kind !== 'range') return undefined;
  const lo = p.lo + BigInt(seq) * p.step;
  return { kind: 'range', seq, lo, hiEx: seq === n - 1 ? undefined : lo + p.step };
}

/** Every chunk of a range or parts plan, in key order. */
export function allChunks(p: CopyPlan): Chunk[] {
  const n = chunkCount(p) ?? 0;
  return Array.from({ length: n }, (_, i) => chunkAt(p, i)!);
}

/** One line for the plan and the report. */
export function describeCopy(key: CopyKey | undefined, s: CopyShape): string {
  if (!key) return s.partitions.length ? 'whole, per partition' : 'whole table';
  const on = `${key.index} (${key.columns.join(', ')})`;
  if (s.carried || (s.integerKey && key.columns.length === 1))
    return `chunks of ${s.chunkRows} rows on ${on}, on any worker`;
  return laneLine(key, s.chunkRows, key.uncarried ?? 'its values cannot be cut ahead');
}

/** The plan line once the table's copy is planned: a walk that could not carry a cut says so. */
export function describePlanned(key: CopyKey | undefined, s: CopyShape, p: CopyPlan): string {
  return key && p.kind === 'keyset' && p.why ? laneLine(key, s.chunkRows, p.why) : describeCopy(key, s);
}

function laneLine(key: CopyKey, rows: number, why: string): string {
  return `one lane on ${key.index} (${key.columns.join(', ')}), ${rows} rows a chunk: ${why}`;
}
