/**
 * One side of one table (the binlog's rows or the table's) as a multiset digest, and, on a second pass
 * over a mismatch, the rows of a few chosen buckets kept to say which rows differ. Pure.
 */
import type { Flavour } from '../model/version.js';
import { indexColumns, type Index, type TableShape } from '../model/table.js';
import { rowCanon, rowText, type Canon, type RowCanon } from './canonical.js';
import { planColumns, type ValueColumn } from './columns.js';
import { RowMultiset, bucketOfHash, bucketOfKey, bucketsFor, hashHex, rowHash } from './multiset.js';

export interface TablePlan {
  schema: string;
  table: string;
  columns: ValueColumn[];
  /** Positions of the key's columns (primary key, else a unique key on NOT NULL columns); empty: none. */
  key: number[];
  buckets: number;
  canon: RowCanon;
  /** Why values cannot be compared exactly (then by count). */
  inexact: string[];
}

export function planTable(
  schema: string,
  table: string,
  shape: TableShape,
  flavour: Flavour,
  expectedRows: number,
): TablePlan {
  const p = planColumns(shape.columns, flavour);
  const names = p.columns.map((c) => c.name);
  const usable = (cols: string[]) => cols.length > 0 && cols.every((c) => names.includes(c));
  // A key that tells rows apart: the primary key, else a unique key of whole NOT NULL columns.
  const whole = (i: Index) =>
    i.parts.every((x) => x.column !== undefined && x.prefix === undefined && !x.nullable);
  const key =
    shape.indexes.find((i) => i.primary && usable(indexColumns(i))) ??
    shape.indexes.find((i) => i.unique && whole(i) && usable(indexColumns(i)));
  return {
    schema,
    table,
    columns: p.columns,
    key: key ? indexColumns(key).map((c) => names.indexOf(c)) : [],
    buckets: bucketsFor(expectedRows),
    canon: rowCanon(p.columns),
    inexact: p.inexact,
  };
}

export interface SampleRow {
  values: Canon[];
  /** The row's hash (hex), to tell equal rows apart from different ones. */
  hash: string;
}

/** At most this many rows are kept per side for the report. */
export const SAMPLE_CAP = 5000;

export class SideDigest {
  readonly all: RowMultiset;
  private pending: RowMultiset | undefined;
  /** Kept rows of the sampled buckets, by key text (keyed tables) or by row hash (no key). */
  readonly sample = new Map<string, SampleRow[]>();
  private pendingSample: [string, SampleRow][] = [];
  sampled = 0;
  truncated = false;

  constructor(
    readonly plan: TablePlan,
    private readonly sampleBuckets?: Set<number>,
  ) {
    this.all = new RowMultiset(plan.buckets);
  }

  private readonly hash = new Uint32Array(4);

  /** One row's canonical values; `pending` until its transaction is known to be inside the range. */
  add(values: Canon[], pending = false): void {
    const hash = rowHash(rowText(values), this.hash);
    const { key, buckets } = this.plan;
    const keyText = key.length ? rowText(values, key) : undefined;
    const bucket = keyText === undefined ? bucketOfHash(hash, buckets) : bucketOfKey(keyText, buckets);
    if (pending) (this.pending ??= new RowMultiset(buckets)).add(hash, bucket);
    else this.all.add(hash, bucket);
    if (!this.sampleBuckets?.has(bucket)) return;
    const hex = hashHex(hash);
    const entry: [string, SampleRow] = [keyText ?? hex, { values, hash: hex }];
    if (pending) this.pendingSample.push(entry);
    else this.keep(entry);
  }

  /** The pending rows' transaction ended inside the range (keep them) or after it (drop them). */
  settle(keep: boolean): void {
    if (keep && this.pending) this.all.merge(this.pending);
    if (keep) for (const e of this.pendingSample) this.keep(e);
    this.pending = undefined;
    this.pendingSample = [];
  }

  private keep([group, row]: [string, SampleRow]): void {
    if (this.sampled >= SAMPLE_CAP) {
      this.truncated = true;
      return;
    }
    this.sampled++;
    const list = this.sample.get(group);
    if (list) list.push(row);
    else this.sample.set(group, [row]);
  }
}
