/**
 * The chunk scheduler: which piece of work a free worker takes next. No I/O here: the workers do
 * the work and report back; this decides, so its rules are unit-tested on their own.
 *
 * A table goes queued -> preparing (set aside, shell, twin) -> copying -> finishing (swap back) ->
 * done; or, on a failure, -> failed -> putting back -> put back. At most `maxAside` tables are past
 * `queued` and not yet done or put back: every table aside is one that readers of the replica cannot
 * see. The chunks of a range or parts copy are known ahead and go to any free worker, so several
 * workers copy one big table at once; a keyset copy is one lane, taken by one worker start to end.
 *
 * Exactly once: a chunk is handed out once; it comes back only when it surely did not commit
 * (rolled back), or after a `settle` (no other chunk of that table running) read the binlog and
 * found it did not.
 */
import type { Chunk, KeyValue } from '../model/copy.js';
import { allChunks, type CopyPlan } from '../plan/chunks.js';

export type Work =
  | { kind: 'prepare'; id: number }
  /** Walk the key after `after` (from the start when undefined); the next cut closes chunk `seq`. */
  | { kind: 'walk'; id: number; after: KeyValue | undefined; seq: number }
  | { kind: 'chunk'; id: number; chunk: Chunk; attempt: number }
  | { kind: 'lane'; id: number }
  | { kind: 'settle'; id: number; suspects: Chunk[] }
  | { kind: 'finish'; id: number }
  | { kind: 'put-back'; id: number };

type Stage =
  'queued' | 'preparing' | 'copying' | 'finishing' | 'done' | 'failed' | 'putting-back' | 'put-back';

/**
 * How a table's rows are handed out:
 * - `chunks`: chunks known ahead (range, cuts, parts; a walk once it ended), each to any free worker
 *   (also the mode before the table's plan is known: nothing is pending then);
 * - `walk`: a walk plan; `waiting` until a worker takes the walk, `walking` while its cuts come in
 *   (each adds a chunk to `pending`); it walks after the cut `from`, closing chunk `seq` next;
 * - `keyset`: one lane, `free` until a worker takes it, `taken` while it copies, `done` once it
 *   copied the whole table.
 */
type CopyMode =
  | { kind: 'chunks' }
  | { kind: 'walk'; stage: 'waiting' | 'walking'; from: KeyValue | undefined; seq: number }
  | { kind: 'keyset'; lane: 'free' | 'taken' | 'done' };

interface TableState {
  id: number;
  state: Stage;
  mode: CopyMode;
  /** Chunks not handed out yet, in key order. */
  pending: Chunk[];
  /**
   * Work of this table out with a worker (prepare, walk, chunks, lane, settle, finish): raised only by
   * `handOut`, lowered only by `reported`.
   */
  running: number;
  attempts: Map<number, number>;
  /** Chunks whose outcome is unknown, waiting for a settle. */
  suspects: Chunk[];
  /**
   * Chunks of a failed table whose outcome is unknown (suspects when it failed, or stopped or lost
   * after): the put-back reads the binlog for them before the table's account is final.
   */
  doubt: Chunk[];
  rows: number;
  /** Chunks acknowledged, and those of them that wrote rows (each is one statement in the binlog). */
  chunksDone: number;
  chunksWithRows: number;
  reason?: string;
}

function modeOf(plan: CopyPlan): CopyMode {
  if (plan.kind === 'keyset') return { kind: 'keyset', lane: 'free' };
  if (plan.kind !== 'walk') return { kind: 'chunks' };
  return { kind: 'walk', stage: 'waiting', from: plan.cuts[plan.cuts.length - 1], seq: plan.cuts.length };
}

const isWalking = (m: CopyMode): boolean => m.kind === 'walk' && m.stage === 'walking';

const ASIDE: ReadonlySet<Stage> = new Set(['preparing', 'copying', 'finishing', 'failed', 'putting-back']);

export interface SchedulerOptions {
  /** Most tables set aside at once. */
  maxAside: number;
  /** Attempts per chunk before its table fails. */
  maxAttempts: number;
}

export class Scheduler {
  private readonly tables = new Map<number, TableState>();
  private readonly order: number[];
  private stopped = false;
  private waiters: (() => void)[] = [];

  /** `ids`: the tables in the order they should start (largest first). */
  constructor(
    ids: number[],
    private readonly opts: SchedulerOptions,
  ) {
    this.order = [...ids];
    for (const id of ids) {
      this.tables.set(id, {
        id,
        state: 'queued',
        mode: { kind: 'chunks' },
        pending: [],
        running: 0,
        attempts: new Map(),
        suspects: [],
        doubt: [],
        rows: 0,
        chunksDone: 0,
        chunksWithRows: 0,
      });
    }
  }

  /** The next piece of work; waits while none is ready but some is running; undefined: all is done. */
  async take(): Promise<Work | undefined> {
    for (;;) {
      const w = this.next();
      if (w) return w;
      if (!this.busy()) return undefined;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** The next piece of work ready now, if any (take() without waiting). */
  next(): Work | undefined {
    const active = this.order.map((id) => this.tables.get(id)!).filter((s) => ASIDE.has(s.state));
    for (const s of active) {
      if (s.state === 'failed' && s.running === 0) {
        s.state = 'putting-back';
        // Not counted as running: the put-back is the table's last work, and ends with putBackDone.
        return { kind: 'put-back', id: s.id };
      }
    }
    for (const s of active) {
      // Only with no chunk of the table running: the settle sees the binlog alone (a walk only reads).
      const chunksOut = s.running - (isWalking(s.mode) ? 1 : 0);
      if (s.state !== 'copying' || chunksOut > 0) continue;
      if (s.suspects.length) return this.handOut(s, { kind: 'settle', id: s.id, suspects: [...s.suspects] });
      if (s.running === 0 && this.copied(s)) {
        s.state = 'finishing';
        return this.handOut(s, { kind: 'finish', id: s.id });
      }
    }
    const queued = this.order.map((id) => this.tables.get(id)!).find((s) => s.state === 'queued');
    if (queued && !this.stopped && active.length < this.opts.maxAside) {
      queued.state = 'preparing';
      return this.handOut(queued, { kind: 'prepare', id: queued.id });
    }
    for (const s of active) {
      const m = s.mode;
      if (s.state !== 'copying' || m.kind !== 'walk' || m.stage !== 'waiting') continue;
      // First: every chunk of the table waits for the walk's cuts.
      m.stage = 'walking';
      return this.handOut(s, { kind: 'walk', id: s.id, after: m.from, seq: m.seq });
    }
    for (const s of active) {
      if (s.state !== 'copying' || s.suspects.length) continue;
      if (s.mode.kind === 'keyset' && s.mode.lane === 'free') {
        s.mode.lane = 'taken';
        return this.handOut(s, { kind: 'lane', id: s.id });
      }
      const chunk = s.pending.shift();
      if (chunk) {
        const attempt = (s.attempts.get(chunk.seq) ?? 0) + 1;
        s.attempts.set(chunk.seq, attempt);
        return this.handOut(s, { kind: 'chunk', id: s.id, chunk, attempt });
      }
    }
    return undefined;
  }

  /**
   * The table is set aside with its twin in place; `plan` says how it is copied. `done`: chunks an
   * earlier run committed (a resume), which are not handed out.
   */
  prepared(id: number, plan: CopyPlan, done: readonly number[] = []): void {
    const s = this.reported(id);
    // Cancelled while it was being prepared: it is put back, not copied.
    if (s.state !== 'preparing') return this.wake();
    s.state = 'copying';
    s.mode = modeOf(plan);
    const skip = new Set(done);
    s.pending = plan.kind === 'keyset' ? [] : allChunks(plan).filter((c) => !skip.has(c.seq));
    this.wake();
  }

  /** Whether the table's walk should go on (it is still being copied). */
  walking(id: number): boolean {
    const s = this.tables.get(id)!;
    return s.state === 'copying' && isWalking(s.mode);
  }

  /** The walk found a cut: the chunk it closes goes to any worker. */
  cutFound(id: number, chunk: Chunk): void {
    const s = this.tables.get(id)!;
    if (s.state !== 'copying') return;
    s.pending.push(chunk);
    this.wake();
  }

  /** The walk reached the end of the key: `last`, the open-ended chunk after its last cut. */
  walkDone(id: number, last: Chunk): void {
    const s = this.reported(id);
    s.mode = { kind: 'chunks' };
    if (s.state === 'copying') s.pending.push(last);
    this.wake();
  }

  /**
   * The walk stopped without reaching the end: the table failed or was cancelled meanwhile (nothing
   * more to do), or the walk failed (`reason`: the table fails).
   */
  walkStopped(id: number, reason?: string): void {
    const s = this.reported(id);
    s.mode = { kind: 'chunks' };
    if (reason) this.failIn(s, reason);
    this.wake();
  }

  /** The walk's first cut could not be carried: nothing of it was handed out; one keyset lane copies it. */
  walkToLane(id: number): void {
    this.reported(id).mode = { kind: 'keyset', lane: 'free' };
    this.wake();
  }

  chunkDone(id: number, chunk: Chunk, rows: number): { chunksDone: number; rows: number } {
    const s = this.reported(id);
    this.count(s, rows);
    this.wake();
    return { chunksDone: s.chunksDone, rows: s.rows };
  }

  /**
   * A chunk failed. `rolledBack`: it surely did not commit, and goes back to the queue; otherwise its
   * outcome is unknown and the table waits for a settle. Past `maxAttempts` the table fails.
   */
  chunkFailed(id: number, chunk: Chunk, rolledBack: boolean): void {
    const s = this.reported(id);
    if (s.state === 'copying') {
      if ((s.attempts.get(chunk.seq) ?? 0) >= this.opts.maxAttempts) {
        if (!rolledBack) s.suspects.push(chunk);
        this.failIn(s, `chunk ${chunk.seq + 1} failed ${this.opts.maxAttempts} times`);
      } else if (rolledBack) s.pending.unshift(chunk);
      else s.suspects.push(chunk);
    } else if (!rolledBack) s.doubt.push(chunk);
    this.wake();
  }

  /** Chunks of a failed table whose outcome is unknown (for its put-back to settle). */
  inDoubt(id: number): Chunk[] {
    return [...this.tables.get(id)!.doubt];
  }

  /** The put-back read the binlog: of the chunks in doubt, these committed (with their rows). */
  doubtSettled(id: number, committed: { chunk: Chunk; rows: number }[]): void {
    const s = this.tables.get(id)!;
    s.doubt = [];
    for (const c of committed) this.count(s, c.rows);
  }

  /** A prepare that was never begun (the run was cancelled while it waited): the table is untouched. */
  notPrepared(id: number): void {
    const s = this.reported(id);
    if (s.state === 'preparing' || s.state === 'failed') {
      s.state = 'queued';
      delete s.reason;
    }
    this.wake();
  }

  /** A settle's verdict: these suspects committed (with their rows); these must be sent again. */
  settled(id: number, committed: { chunk: Chunk; rows: number }[], resend: Chunk[]): void {
    const s = this.reported(id);
    s.suspects = [];
    for (const c of committed) this.count(s, c.rows);
    s.pending.unshift(...[...resend].sort((a, b) => a.seq - b.seq));
    this.wake();
  }

  /** Acknowledged chunks of a table: the binlog holds one statement for each that wrote rows. */
  progressOf(id: number): { chunksDone: number; chunksWithRows: number; rows: number } {
    const s = this.tables.get(id)!;
    return { chunksDone: s.chunksDone, chunksWithRows: s.chunksWithRows, rows: s.rows };
  }

  /** A keyset lane's chunk committed: the lane's totals so far (a put-back accounts for them). */
  laneProgress(id: number, rows: number, chunks: number, chunksWithRows: number): void {
    Object.assign(this.tables.get(id)!, { rows, chunksDone: chunks, chunksWithRows });
  }

  /** A keyset lane copied the whole table. */
  laneDone(id: number, rows: number, chunks: number): void {
    const s = this.reported(id);
    s.mode = { kind: 'keyset', lane: 'done' };
    s.rows = rows;
    s.chunksDone = chunks;
    this.wake();
  }

  /** The table failed (or was cancelled): no more of it is handed out; once idle it is put back. */
  fail(id: number, reason: string): void {
    this.failIn(this.tables.get(id)!, reason);
    this.wake();
  }

  /**
   * A worker gives up its piece of a table's work (prepare, chunk, lane, settle or finish) and the
   * table fails. A table is put back only once no worker holds any of its work.
   */
  abandon(id: number, reason: string): void {
    this.reported(id);
    this.fail(id, reason);
  }

  finished(id: number): void {
    this.expect(id, 'finishing');
    this.reported(id).state = 'done';
    this.wake();
  }

  /** The table's put-back ended, whether it is back or needs recover: it no longer counts as aside. */
  putBackDone(id: number): void {
    this.expect(id, 'putting-back').state = 'put-back';
    this.wake();
  }

  /** No table starts any more. `cancel`: every table aside that is not copied whole fails too. */
  stop(cancel: boolean, reason = 'cancelled'): void {
    this.stopped = true;
    if (cancel) {
      for (const s of this.tables.values())
        if (s.state === 'preparing' || s.state === 'copying') this.failIn(s, reason);
    }
    this.wake();
  }

  /** Tables set aside right now. */
  asideCount(): number {
    return [...this.tables.values()].filter((s) => ASIDE.has(s.state)).length;
  }

  stateOf(id: number): Stage {
    return this.tables.get(id)!.state;
  }

  reasonOf(id: number): string | undefined {
    return this.tables.get(id)!.reason;
  }

  private copied(s: TableState): boolean {
    if (s.mode.kind === 'keyset') return s.mode.lane === 'done';
    if (s.mode.kind === 'walk') return false;
    return s.pending.length === 0 && s.suspects.length === 0;
  }

  /** Work of table `s` goes out to a worker: it runs until the worker reports back (`reported`). */
  private handOut<W extends Work>(s: TableState, work: W): W {
    s.running += 1;
    return work;
  }

  /** A worker reports back on a piece of table `id`'s work, which no longer runs. */
  private reported(id: number): TableState {
    const s = this.tables.get(id)!;
    s.running -= 1;
    return s;
  }

  private count(s: TableState, rows: number): void {
    s.rows += rows;
    s.chunksDone += 1;
    if (rows > 0) s.chunksWithRows += 1;
  }

  private failIn(s: TableState, reason: string): void {
    if (s.state !== 'preparing' && s.state !== 'copying' && s.state !== 'finishing') return;
    s.state = 'failed';
    s.reason ??= reason;
    s.pending = [];
    s.doubt.push(...s.suspects);
    s.suspects = [];
  }

  private busy(): boolean {
    return [...this.tables.values()].some(
      (s) => ASIDE.has(s.state) || (s.state === 'queued' && !this.stopped),
    );
  }

  private expect(id: number, expected: Stage): TableState {
    const s = this.tables.get(id)!;
    if (s.state !== expected) throw new Error(`scheduler: table ${id} is ${s.state}, not ${expected}`);
    return s;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
