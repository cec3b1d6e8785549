import { describe, expect, it } from 'vitest';
import {
  allChunks,
  chunkAt,
  chunkCount,
  needsExtent,
  planCopy,
  type CopyShape,
} from '../../src/plan/chunks.js';

const shape = (over: Partial<CopyShape> = {}): CopyShape => ({
  keyColumns: ['id'],
  integerKey: true,
  partitions: [],
  rowsEstimate: 1_000_000,
  bytesEstimate: 50_000_000,
  chunkRows: 100_000,
  chunkBytes: 64 << 20,
  ...over,
});

describe('copy cursor', () => {
  it('a dense integer key: ranges of chunkRows key values, the last one open-ended, every key in exactly one', () => {
    const p = planCopy(shape(), { lo: 1n, hi: 1_000_000n });
    expect(p).toEqual({ kind: 'range', lo: 1n, hi: 1_000_000n, step: 100_000n });
    const chunks = allChunks(p);
    expect(chunks).toHaveLength(10);
    expect(chunks[0]).toEqual({ kind: 'range', seq: 0, lo: 1n, hiEx: 100_001n });
    expect(chunks[9]).toEqual({ kind: 'range', seq: 9, lo: 900_001n, hiEx: undefined });
    for (let i = 1; i < chunks.length; i++) {
      const [a, b] = [chunks[i - 1]!, chunks[i]!] as { lo: bigint; hiEx?: bigint }[];
      expect(a!.hiEx).toBe(b!.lo);
    }
  });

  it('negative and huge keys (bigint unsigned) stay exact', () => {
    const p = planCopy(shape({ rowsEstimate: 10, chunkRows: 4, bytesEstimate: 1 << 30 }), {
      lo: 18446744073709551606n,
      hi: 18446744073709551615n,
    });
    expect(chunkCount(p)).toBe(3);
    expect(chunkAt(p, 2)).toEqual({ kind: 'range', seq: 2, lo: 18446744073709551614n, hiEx: undefined });
    const q = planCopy(shape({ rowsEstimate: 10, chunkRows: 5, bytesEstimate: 1 << 30 }), {
      lo: -5n,
      hi: 4n,
    });
    expect(allChunks(q).map((c) => (c as { lo: bigint }).lo)).toEqual([-5n, 0n]);
  });

  it('an empty table with an integer key: no chunk at all', () => {
    const p = planCopy(shape(), null);
    expect(chunkCount(p)).toBe(0);
    expect(allChunks(p)).toEqual([]);
    expect(chunkAt(p, 0)).toBeUndefined();
  });

  it('a sparse integer key (more than twice as many values as rows) is copied by keyset', () => {
    expect(planCopy(shape(), { lo: 1n, hi: 10_000_000n }).kind).toBe('keyset');
    // at the limit: 2 x rows + one chunk of key values is still a range
    expect(planCopy(shape(), { lo: 1n, hi: 2_100_000n }).kind).toBe('range');
    expect(planCopy(shape(), { lo: 1n, hi: 2_100_001n }).kind).toBe('keyset');
  });

  it('a composite, a non-integer or an unknown extent: keyset, whose chunks are not known ahead', () => {
    expect(needsExtent(shape({ keyColumns: ['a', 'b'] }))).toBe(false);
    expect(planCopy(shape({ keyColumns: ['a', 'b'] })).kind).toBe('keyset');
    expect(planCopy(shape({ integerKey: false })).kind).toBe('keyset');
    expect(planCopy(shape())).toEqual({ kind: 'keyset', step: 100_000 });
    expect(chunkCount(planCopy(shape({ integerKey: false })))).toBeUndefined();
  });

  it('small by rows and bytes: one statement; no key: one statement per partition (or one)', () => {
    expect(needsExtent(shape({ rowsEstimate: 100, bytesEstimate: 1000 }))).toBe(false);
    expect(planCopy(shape({ rowsEstimate: 100, bytesEstimate: 1000 }))).toEqual({
      kind: 'parts',
      parts: [undefined],
    });
    // small by rows but not by bytes: chunked
    expect(planCopy(shape({ rowsEstimate: 100, bytesEstimate: 60 << 20 }), { lo: 1n, hi: 100n }).kind).toBe(
      'range',
    );
    const parts = planCopy(shape({ keyColumns: undefined, partitions: ['p0', 'p1'] }));
    expect(allChunks(parts)).toEqual([
      { kind: 'part', seq: 0, partition: 'p0' },
      { kind: 'part', seq: 1, partition: 'p1' },
    ]);
    expect(allChunks(planCopy(shape({ keyColumns: undefined })))).toEqual([
      { kind: 'part', seq: 0, partition: undefined },
    ]);
  });
});
