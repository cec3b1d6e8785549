/**
 * An order-independent digest of a multiset of rows, in bounded memory: per bucket, the number of rows
 * and the sum of their 128-bit hashes modulo 2^128. Two multisets with the same rows give the same
 * digest whatever the order; a row twice and another missing change it unless the two rows are equal
 * (or their hashes collide: about 2^-128 for rows that differ by accident). Rows are put in buckets by
 * their key (by the whole row when the table has none), so that the buckets that differ point at the
 * rows that differ. Pure.
 *
 * The hash is MurmurHash3's x86 128-bit construction over the string's UTF-16 code units (two to a
 * 32-bit word), written here: a well-mixed non-cryptographic hash, some 20 times cheaper per row in
 * Node than a crypto digest. It guards against corruption and mistakes, not against someone who
 * crafts rows to collide.
 */

const WORDS = 4;

export class RowMultiset {
  readonly counts: Float64Array;
  readonly sums: Uint32Array;
  constructor(readonly buckets: number) {
    this.counts = new Float64Array(buckets);
    this.sums = new Uint32Array(buckets * WORDS);
  }

  add(hash: Uint32Array, bucket: number): void {
    this.counts[bucket]!++;
    const base = bucket * WORDS;
    let carry = 0;
    for (let w = 0; w < WORDS; w++) {
      const s = this.sums[base + w]! + hash[w]! + carry;
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

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;
const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const fmix = (h: number) => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
};
const mixK = (k: number, a: number, r: number, b: number) => Math.imul(rotl(Math.imul(k, a), r), b);

/** The 128-bit hash of a string (into `out`, four 32-bit words). */
export function rowHash(s: string, out: Uint32Array = new Uint32Array(WORDS)): Uint32Array {
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  const n = s.length;
  const word = (i: number) => (i < n ? s.charCodeAt(i) : 0) | ((i + 1 < n ? s.charCodeAt(i + 1) : 0) << 16);
  const whole = n - (n % 8);
  for (let i = 0; i < whole; i += 8) {
    h1 ^= mixK(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16), C1, 15, C2);
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    h2 ^= mixK(s.charCodeAt(i + 2) | (s.charCodeAt(i + 3) << 16), C2, 16, C3);
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    h3 ^= mixK(s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 16), C3, 17, C4);
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    h4 ^= mixK(s.charCodeAt(i + 6) | (s.charCodeAt(i + 7) << 16), C4, 18, C1);
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  const rest = n - whole;
  if (rest > 6) h4 ^= mixK(word(whole + 6), C4, 18, C1);
  if (rest > 4) h3 ^= mixK(word(whole + 4), C3, 17, C4);
  if (rest > 2) h2 ^= mixK(word(whole + 2), C2, 16, C3);
  if (rest > 0) h1 ^= mixK(word(whole), C1, 15, C2);
  const len = n * 2;
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  out[0] = h1;
  out[1] = h2 + h1;
  out[2] = h3 + h1;
  out[3] = h4 + h1;
  return out;
}

export function hashHex(h: Uint32Array): string {
  let s = '';
  for (const w of h) s += w.toString(16).padStart(8, '0');
  return s;
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
export function bucketOfHash(hash: Uint32Array, buckets: number): number {
  return hash[3]! & (buckets - 1);
}
