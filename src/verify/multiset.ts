/**
 * An order-independent digest of a multiset of rows, in bounded memory: per bucket, the number of rows
 * and the sum of their SHA-256 hashes modulo 2^256. Two multisets with the same rows give the same
 * digest whatever the order; a row twice and another missing change it unless the two rows are equal.
 * Rows are put in buckets by their key (by the whole row when the table has none), so that the buckets
 * that differ point at the rows that differ. Pure.
 */
import { createHash } from 'node:crypto';

const WORDS = 8;

export class RowMultiset {
  readonly counts: Float64Array;
  readonly sums: Uint32Array;
  constructor(readonly buckets: number) {
    this.counts = new Float64Array(buckets);
    this.sums = new Uint32Array(buckets * WORDS);
  }

  add(hash: Buffer, bucket: number): void {
    this.counts[bucket]!++;
    let carry = 0;
    const base = bucket * WORDS;
    for (let w = 0; w < WORDS; w++) {
      const s = this.sums[base + w]! + hash.readUInt32LE(w * 4) + carry;
      this.sums[base + w] = s >>> 0;
      carry = s > 0xffffffff ? 1 : 0;
    }
  }

  merge(o: RowMultiset): void {
    for (let b = 0; b < this.buckets; b++) {
      this.counts[b]! += o.counts[b]!;
      let carry = 0;
      for (let w = 0; w < WORDS; w++) {
        const s = this.sums[b * WORDS + w]! + o.sums[b * WORDS + w]! + carry;
        this.sums[b * WORDS + w] = s >>> 0;
        carry = s > 0xffffffff ? 1 : 0;
      }
    }
  }

  get rows(): number {
    let n = 0;
    for (const c of this.counts) n += c;
    return n;
  }

  /** Buckets whose rows differ from `o`'s, in bucket order. */
  differing(o: RowMultiset): number[] {
    const out: number[] = [];
    for (let b = 0; b < this.buckets; b++) {
      let same = this.counts[b] === o.counts[b];
      for (let w = 0; same && w < WORDS; w++) same = this.sums[b * WORDS + w] === o.sums[b * WORDS + w];
      if (!same) out.push(b);
    }
    return out;
  }
}

/** Buckets for a table of about `rows` rows: a power of two, about 128 rows each, 1 to 4096. */
export function bucketsFor(rows: number): number {
  let b = 1;
  while (b < 4096 && b * 128 < rows) b *= 2;
  return b;
}

export function rowHash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** FNV-1a over the key's text: which bucket a key's rows go to (`buckets` a power of two). */
export function bucketOfKey(keyText: string, buckets: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < keyText.length; i++) {
    h ^= keyText.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (buckets - 1);
}

/** A keyless row's bucket: from its hash. */
export function bucketOfHash(hash: Buffer, buckets: number): number {
  return hash.readUInt32LE(28) & (buckets - 1);
}
