import { describe, expect, it } from 'vitest';
import {
  allChunks,
  chunkAt,
  chunkCount,
  cutChunk,
  describeCopy,
  laneLine,
  needsExtent,
  planCopy,
  type CopyPlan,
  type CopyShape,
} from '../../src/plan/chunks.js';

const shape = (over: Partial<CopyShape> = {}): CopyShape => ({
  keyColumns: ['id'],
  integerKey: true,
  carried: false,
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
    expect(planCopy(shape(), { lo: 1n, hi: 10_000_000n }).kind).toBe('keyset'); // no carriers here
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

  it('a carried key that is no dense integer range is walked; a walk with cuts knows the chunks they close', () => {
    const carried = shape({ keyColumns: ['u'], integerKey: false, carried: true });
    expect(planCopy(carried)).toEqual({ kind: 'walk', step: 100_000, cuts: [] });
    const walk: CopyPlan = { kind: 'walk', step: 100_000, cuts: [['0A'], ['0F']] };
    expect(chunkCount(walk)).toBeUndefined();
    expect(allChunks(walk)).toEqual([
      { kind: 'cut', seq: 0, after: undefined, upTo: ['0A'] },
      { kind: 'cut', seq: 1, after: ['0A'], upTo: ['0F'] },
    ]);
    expect(chunkAt(walk, 2)).toBeUndefined();
    // A finished walk: every chunk known, the last after the last cut.
    const p: CopyPlan = { kind: 'cuts', cuts: [['0A'], ['0F'], ['C3']] };
    expect(chunkCount(p)).toBe(4);
    expect(allChunks(p)).toEqual([
      { kind: 'cut', seq: 0, after: undefined, upTo: ['0A'] },
      { kind: 'cut', seq: 1, after: ['0A'], upTo: ['0F'] },
      { kind: 'cut', seq: 2, after: ['0F'], upTo: ['C3'] },
      { kind: 'cut', seq: 3, after: ['C3'], upTo: undefined },
    ]);
    // Each chunk's lower bound is its predecessor's upper bound: the same value, so no row is in two.
    const cs = allChunks(p).filter((c) => c.kind === 'cut');
    for (let i = 1; i < cs.length; i++) expect(cs[i]!.after).toEqual(cs[i - 1]!.upTo);
    expect(cutChunk(0, undefined, undefined)).toEqual({
      kind: 'cut',
      seq: 0,
      after: undefined,
      upTo: undefined,
    });
  });

  it('a sparse integer key with carriers is walked; a dense one takes ranges; a key without carriers, one lane', () => {
    const s = shape({ carried: true });
    expect(planCopy(s, { lo: 1n, hi: 10_000_000n }).kind).toBe('walk');
    expect(planCopy(s, { lo: 1n, hi: 1_000_000n }).kind).toBe('range');
    expect(planCopy(shape({ integerKey: false })).kind).toBe('keyset');
    expect(laneLine({ index: 'PRIMARY', columns: ['id'] }, 10, 'why')).toBe(
      'one lane on PRIMARY (id), 10 rows a chunk: why',
    );
  });

  it('the plan line says whether any worker takes a chunk, or why one lane copies the table', () => {
    const key = { index: 'PRIMARY', columns: ['u'] };
    expect(describeCopy(key, shape({ integerKey: false, carried: true }))).toBe(
      'chunks of 100000 rows on PRIMARY (u), on any worker',
    );
    expect(
      describeCopy(
        { ...key, uncarried: 'u is a FLOAT, whose text is not its exact value' },
        shape({ integerKey: false }),
      ),
    ).toBe('one lane on PRIMARY (u), 100000 rows a chunk: u is a FLOAT, whose text is not its exact value');
  });

  it('a chunk of fewer rows than the chunk size asked for says why (issue 25, finding 12)', () => {
    const key = { index: 'PRIMARY', columns: ['id'] };
    expect(describeCopy(key, shape({ chunkRows: 20485 }), 100_000)).toBe(
      'chunks of 20485 rows (not 100000: at about 3.2 KiB a row, a binlog transaction is kept to about 64.0 MiB) on PRIMARY (id), on any worker',
    );
    expect(describeCopy(key, shape(), 100_000)).toBe('chunks of 100000 rows on PRIMARY (id), on any worker');
  });
});
