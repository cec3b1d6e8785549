import { describe, expect, it } from 'vitest';
import { Scheduler, type Work } from '../../src/engine/scheduler.js';
import { chunkCount, cutChunk, type CopyPlan } from '../../src/plan/chunks.js';
import type { Chunk } from '../../src/model/copy.js';
import { prng } from '../support/prng.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

interface Sim {
  plans: Map<number, CopyPlan>;
  /** How many times each chunk (table:seq) committed on the "server". */
  commits: Map<string, number>;
  maxAsideSeen: number;
  finished: number[];
  putBack: number[];
}

/**
 * Workers run against a model server: a chunk commits or not, and its reply may be lost. A settle
 * reads the model's commits (what the binlog would show). Returns what happened.
 */
async function simulate(opts: {
  seed: number;
  tables: CopyPlan[];
  workers: number;
  maxAside: number;
  pLost: number;
  pRolledBack: number;
  maxAttempts?: number;
}): Promise<Sim> {
  const r = prng(opts.seed);
  const ids = opts.tables.map((_, i) => i + 1);
  const sched = new Scheduler(ids, { maxAside: opts.maxAside, maxAttempts: opts.maxAttempts ?? 50 });
  const sim: Sim = { plans: new Map(), commits: new Map(), maxAsideSeen: 0, finished: [], putBack: [] };
  const key = (id: number, c: Chunk) => `${id}:${c.seq}`;
  /** Per walked table, how many cuts its walk finds (it then has one chunk more). */
  const walkCuts = new Map(
    opts.tables.flatMap((p, i) => (p.kind === 'walk' ? [[i + 1, p.cuts.length] as const] : [])),
  );
  const perform = async (w: Work) => {
    sim.maxAsideSeen = Math.max(sim.maxAsideSeen, sched.asideCount());
    await tick();
    if (r() < 0.5) await tick();
    switch (w.kind) {
      case 'prepare': {
        const p = opts.tables[w.id - 1]!;
        // A walked table is planned with no cut known; its walk finds them.
        sched.prepared(w.id, p.kind === 'walk' ? { ...p, cuts: [] } : p);
        sim.plans.set(w.id, p);
        return;
      }
      case 'chunk': {
        const x = r();
        if (x < opts.pRolledBack) return sched.chunkFailed(w.id, w.chunk, true);
        const commit = x < opts.pRolledBack + (1 - opts.pRolledBack) / 2 || r() < 0.8;
        if (commit) sim.commits.set(key(w.id, w.chunk), (sim.commits.get(key(w.id, w.chunk)) ?? 0) + 1);
        if (r() < opts.pLost) return sched.chunkFailed(w.id, w.chunk, false); // reply lost
        if (!commit) return sched.chunkFailed(w.id, w.chunk, true);
        sched.chunkDone(w.id, w.chunk, 10);
        return;
      }
      case 'settle': {
        const committed = w.suspects.filter((c) => (sim.commits.get(key(w.id, c)) ?? 0) > 0);
        const resend = w.suspects.filter((c) => !committed.includes(c));
        sched.settled(
          w.id,
          committed.map((chunk) => ({ chunk, rows: 10 })),
          resend,
        );
        return;
      }
      case 'walk': {
        // The walk finds its cuts one by one while other workers copy the chunks they close.
        const total = walkCuts.get(w.id) ?? 0;
        let seq = w.seq;
        for (; seq < total; seq++) {
          await tick();
          if (!sched.walking(w.id)) return sched.walkStopped(w.id);
          sched.cutFound(w.id, cutChunk(seq, seq ? [String(seq - 1)] : undefined, [String(seq)]));
        }
        await tick();
        if (!sched.walking(w.id)) return sched.walkStopped(w.id);
        sched.walkDone(w.id, cutChunk(seq, seq ? [String(seq - 1)] : undefined, undefined));
        return;
      }
      case 'lane':
        sched.laneDone(w.id, 100, 10);
        return;
      case 'finish':
        sim.finished.push(w.id);
        sched.finished(w.id);
        return;
      case 'put-back':
        sim.putBack.push(w.id);
        sched.putBackDone(w.id);
        return;
    }
  };
  await Promise.all(
    Array.from({ length: opts.workers }, async () => {
      for (let w = await sched.take(); w; w = await sched.take()) await perform(w);
    }),
  );
  return sim;
}

const range = (chunks: number): CopyPlan => ({ kind: 'range', lo: 1n, hi: BigInt(chunks * 10), step: 10n });
const keyset: CopyPlan = { kind: 'keyset', step: 10 };
const whole: CopyPlan = { kind: 'parts', parts: [undefined] };
/** A walked table whose walk finds `n` cuts (n + 1 chunks). */
const walked = (n: number): CopyPlan => ({
  kind: 'walk',
  step: 10,
  cuts: Array.from({ length: n }, (_, i) => [String(i)]),
});
const chunksOf = (p: CopyPlan) => (p.kind === 'walk' ? p.cuts.length + 1 : (chunkCount(p) ?? 0));
const cuts = (n: number): CopyPlan => ({
  kind: 'cuts',
  cuts: Array.from({ length: n }, (_, i) => [(i * 16 + 15).toString(16).padStart(2, '0')]),
});

describe('chunk scheduler', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %i: lost replies and rollbacks on 4 workers: every chunk commits exactly once, never more tables aside than allowed',
    async (seed) => {
      const tables = [
        range(40),
        keyset,
        whole,
        cuts(9),
        walked(30),
        range(7),
        range(1),
        walked(0),
        whole,
        keyset,
        range(0),
        cuts(0),
      ];
      const sim = await simulate({ seed, tables, workers: 4, maxAside: 3, pLost: 0.15, pRolledBack: 0.1 });
      expect(sim.maxAsideSeen).toBeLessThanOrEqual(3);
      expect(sim.finished.sort((a, b) => a - b)).toEqual(tables.map((_, i) => i + 1));
      expect(sim.putBack).toEqual([]);
      tables.forEach((p, i) => {
        for (let seq = 0; seq < chunksOf(p); seq++) {
          expect(sim.commits.get(`${i + 1}:${seq}`), `table ${i + 1} chunk ${seq}`).toBe(1);
        }
      });
    },
  );

  it('a big table is copied by every worker at once; a second table starts while its chunks run', async () => {
    const sched = new Scheduler([1, 2], { maxAside: 2, maxAttempts: 3 });
    expect(sched.next()).toEqual({ kind: 'prepare', id: 1 });
    sched.prepared(1, range(10));
    expect(sched.next()).toEqual({ kind: 'prepare', id: 2 });
    const w = [sched.next(), sched.next(), sched.next()];
    expect(w.map((x) => x?.kind === 'chunk' && [x.id, x.chunk.seq])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(sched.asideCount()).toBe(2);
  });

  it('a table waits for a free slot: maxAside 1 sets aside one table at a time', async () => {
    const sched = new Scheduler([1, 2], { maxAside: 1, maxAttempts: 3 });
    expect(sched.next()).toEqual({ kind: 'prepare', id: 1 });
    expect(sched.next()).toBeUndefined();
    sched.prepared(1, whole);
    const c = sched.next();
    expect(c?.kind).toBe('chunk');
    expect(sched.next()).toBeUndefined();
    sched.chunkDone(1, (c as { chunk: Chunk }).chunk, 5);
    expect(sched.next()).toEqual({ kind: 'finish', id: 1 });
    expect(sched.next()).toBeUndefined();
    sched.finished(1);
    expect(sched.next()).toEqual({ kind: 'prepare', id: 2 });
  });

  it('an unknown outcome stops the table until the chunks running end; the settle then sees it alone', () => {
    const sched = new Scheduler([1], { maxAside: 1, maxAttempts: 3 });
    sched.next();
    sched.prepared(1, range(4));
    const [a, b] = [sched.next(), sched.next()] as Extract<Work, { kind: 'chunk' }>[];
    sched.chunkFailed(1, a!.chunk, false);
    expect(sched.next(), 'no chunk of the table while one is in doubt').toBeUndefined();
    sched.chunkDone(1, b!.chunk, 10);
    expect(sched.next()).toEqual({ kind: 'settle', id: 1, suspects: [a!.chunk] });
    expect(sched.next()).toBeUndefined();
    sched.settled(1, [], [a!.chunk]);
    const again = sched.next() as Extract<Work, { kind: 'chunk' }>;
    expect(again.chunk).toEqual(a!.chunk);
    expect(again.attempt).toBe(2);
    expect(sched.progressOf(1)).toEqual({ chunksDone: 1, chunksWithRows: 1, rows: 10 });
  });

  it('a chunk past its attempts fails the table, which is put back once its other chunks end', () => {
    const sched = new Scheduler([1, 2], { maxAside: 2, maxAttempts: 2 });
    sched.next();
    sched.prepared(1, range(3));
    sched.next(); // prepare 2
    const c1 = sched.next() as Extract<Work, { kind: 'chunk' }>;
    const c2 = sched.next() as Extract<Work, { kind: 'chunk' }>;
    sched.chunkFailed(1, c1.chunk, true);
    const c1b = sched.next() as Extract<Work, { kind: 'chunk' }>;
    expect(c1b.chunk.seq).toBe(c1.chunk.seq);
    sched.chunkFailed(1, c1b.chunk, true);
    expect(sched.stateOf(1)).toBe('failed');
    expect(sched.next(), 'chunk 2 still runs: not put back under it').toBeUndefined();
    sched.chunkDone(1, c2.chunk, 10);
    expect(sched.next()).toEqual({ kind: 'put-back', id: 1 });
    sched.putBackDone(1);
    expect(sched.asideCount()).toBe(1);
    expect(sched.reasonOf(1)).toMatch(/failed 2 times/);
  });

  it('cancel: nothing new starts; every table aside that is not copied is put back; take() ends', async () => {
    const sched = new Scheduler([1, 2, 3], { maxAside: 2, maxAttempts: 3 });
    sched.next();
    sched.prepared(1, range(3));
    sched.next();
    sched.prepared(2, whole);
    const c = sched.next() as Extract<Work, { kind: 'chunk' }>;
    sched.stop(true);
    expect(sched.next()).toEqual({ kind: 'put-back', id: 2 });
    expect(sched.next()).toBeUndefined();
    sched.chunkFailed(1, c.chunk, false);
    expect(sched.next()).toEqual({ kind: 'put-back', id: 1 });
    sched.putBackDone(1);
    sched.putBackDone(2);
    expect(await sched.take()).toBeUndefined();
    expect(sched.stateOf(3)).toBe('queued');
  });

  it('a cancel while a table is being prepared or swapped back: it is put back only once that step reported', () => {
    const sched = new Scheduler([1, 2], { maxAside: 2, maxAttempts: 3 });
    expect(sched.next()).toEqual({ kind: 'prepare', id: 1 });
    expect(sched.next()).toEqual({ kind: 'prepare', id: 2 });
    sched.prepared(2, whole);
    const c = sched.next() as Extract<Work, { kind: 'chunk' }>;
    sched.chunkDone(2, c.chunk, 1);
    expect(sched.next()).toEqual({ kind: 'finish', id: 2 });
    sched.stop(true);
    expect(sched.next(), 'table 1 is still being set aside: no put-back under it').toBeUndefined();
    sched.prepared(1, range(3));
    expect(sched.next()).toEqual({ kind: 'put-back', id: 1 });
    expect(sched.stateOf(2)).toBe('finishing');
    sched.finished(2);
    expect(sched.stateOf(2)).toBe('done');
  });
  it('a chunk in doubt when its table fails stays in doubt for the put-back, which counts what committed', () => {
    const sched = new Scheduler([1], { maxAside: 1, maxAttempts: 3 });
    sched.next();
    sched.prepared(1, range(4));
    const c1 = sched.next() as Extract<Work, { kind: 'chunk' }>;
    const c2 = sched.next() as Extract<Work, { kind: 'chunk' }>;
    const c3 = sched.next() as Extract<Work, { kind: 'chunk' }>;
    sched.chunkDone(1, c1.chunk, 10);
    sched.chunkFailed(1, c2.chunk, false); // a suspect, waiting for a settle
    sched.stop(true); // the cancel: the suspect is in doubt now
    sched.chunkFailed(1, c3.chunk, false); // stopped by the cancel, maybe after it committed
    expect(sched.inDoubt(1).map((c) => c.seq)).toEqual([c2.chunk.seq, c3.chunk.seq]);
    expect(sched.next()).toEqual({ kind: 'put-back', id: 1 });
    sched.doubtSettled(1, [{ chunk: c3.chunk, rows: 10 }]);
    expect(sched.inDoubt(1)).toEqual([]);
    expect(sched.progressOf(1)).toEqual({ chunksDone: 2, chunksWithRows: 2, rows: 20 });
  });

  it('a chunk the cancel kept from being sent is not in doubt; a prepare never begun leaves its table queued', () => {
    const sched = new Scheduler([1, 2], { maxAside: 2, maxAttempts: 3 });
    sched.next();
    expect(sched.next()).toEqual({ kind: 'prepare', id: 2 });
    sched.prepared(1, range(2));
    const c = sched.next() as Extract<Work, { kind: 'chunk' }>;
    sched.stop(true);
    sched.chunkFailed(1, c.chunk, true);
    sched.notPrepared(2);
    expect(sched.inDoubt(1)).toEqual([]);
    expect(sched.stateOf(2)).toBe('queued');
    expect(sched.reasonOf(2)).toBeUndefined();
    expect(sched.next()).toEqual({ kind: 'put-back', id: 1 });
    expect(sched.next()).toBeUndefined();
  });

  it("a keyset lane's progress is its table's account, before the lane ends", () => {
    const sched = new Scheduler([1], { maxAside: 1, maxAttempts: 3 });
    sched.next();
    sched.prepared(1, keyset);
    expect(sched.next()).toEqual({ kind: 'lane', id: 1 });
    sched.laneProgress(1, 30, 3, 3);
    expect(sched.progressOf(1)).toEqual({ chunksDone: 3, chunksWithRows: 3, rows: 30 });
  });

  it('a walked table: the walk goes out first, its cuts feed the other workers, and the table finishes only after its end', () => {
    const sched = new Scheduler([1], { maxAside: 1, maxAttempts: 3 });
    sched.next();
    sched.prepared(1, { kind: 'walk', step: 10, cuts: [] });
    expect(sched.next()).toEqual({ kind: 'walk', id: 1, after: undefined, seq: 0 });
    expect(sched.next()).toBeUndefined(); // nothing to copy before the first cut
    sched.cutFound(1, cutChunk(0, undefined, ['a']));
    const c0 = sched.next() as Extract<Work, { kind: 'chunk' }>;
    expect(c0.chunk).toEqual(cutChunk(0, undefined, ['a']));
    sched.chunkDone(1, c0.chunk, 10);
    expect(sched.next()).toBeUndefined(); // copied so far, but the walk has not ended
    sched.walkDone(1, cutChunk(1, ['a'], undefined));
    const c1 = sched.next() as Extract<Work, { kind: 'chunk' }>;
    sched.chunkDone(1, c1.chunk, 5);
    expect(sched.next()).toEqual({ kind: 'finish', id: 1 });
  });

  it('a walked table that fails stops its walk, and is put back only once the walk has stopped', () => {
    const sched = new Scheduler([1], { maxAside: 1, maxAttempts: 3 });
    sched.next();
    sched.prepared(1, { kind: 'walk', step: 10, cuts: [['a'], ['b']] }); // resumed: two cuts known
    expect(sched.next()).toEqual({ kind: 'walk', id: 1, after: ['b'], seq: 2 });
    sched.stop(true);
    expect(sched.walking(1)).toBe(false);
    expect(sched.next()).toBeUndefined(); // the walk still holds the table
    sched.walkStopped(1);
    expect(sched.next()).toEqual({ kind: 'put-back', id: 1 });
  });

  it('a walk whose first cut cannot be carried turns the table to one lane; a later one fails the table', () => {
    const a = new Scheduler([1], { maxAside: 1, maxAttempts: 3 });
    a.next();
    a.prepared(1, { kind: 'walk', step: 10, cuts: [] });
    a.next();
    a.walkToLane(1);
    expect(a.next()).toEqual({ kind: 'lane', id: 1 });
    const b = new Scheduler([1], { maxAside: 1, maxAttempts: 3 });
    b.next();
    b.prepared(1, { kind: 'walk', step: 10, cuts: [] });
    b.next();
    b.walkStopped(1, 'could not cut chunk 2');
    expect(b.next()).toEqual({ kind: 'put-back', id: 1 });
    expect(b.reasonOf(1)).toBe('could not cut chunk 2');
  });

  it("a walked table's chunk in doubt is settled while the walk goes on (the walk only reads)", () => {
    const sched = new Scheduler([1], { maxAside: 1, maxAttempts: 3 });
    sched.next();
    sched.prepared(1, { kind: 'walk', step: 10, cuts: [] });
    sched.next(); // the walk
    sched.cutFound(1, cutChunk(0, undefined, ['a']));
    const c0 = sched.next() as Extract<Work, { kind: 'chunk' }>;
    sched.chunkFailed(1, c0.chunk, false); // reply lost
    sched.cutFound(1, cutChunk(1, ['a'], ['b']));
    expect(sched.next()).toEqual({ kind: 'settle', id: 1, suspects: [c0.chunk] });
    expect(sched.next()).toBeUndefined(); // no chunk while the settle reads the binlog
    sched.settled(1, [{ chunk: c0.chunk, rows: 10 }], []);
    expect((sched.next() as Extract<Work, { kind: 'chunk' }>).chunk.seq).toBe(1);
  });
});
