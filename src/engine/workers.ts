/**
 * The worker pool: `concurrency` sessions take work from the scheduler until none is left. Each
 * piece of work reports back to the scheduler whatever happens; a failed table is put back on its
 * own while the others go on, unless the run must stop (cancel, server gone, journal unwritable,
 * a table that could not be put back, --stop-on-error).
 */
import { formatSeconds } from '../model/format.js';
import { connectionUnusable, fileSystemError } from '../db/failures.js';
import { TableError, errorText } from '../model/errors.js';
import type { PlannedTable } from '../plan/plan.js';
import { columnsHash } from '../plan/plan.js';
import { partialText, type TableReport } from './report.js';
import { Writer } from './writer.js';
import { keysetLane, runChunk, settle, settleDoubt, walkKey } from './copy.js';
import { restoreTable } from './restore.js';
import { now } from '../model/time.js';
import type { CopyContext, WorkerSession } from './copy-context.js';
import type { Work } from './scheduler.js';
import { finishTable, prepareTable } from './table-steps.js';
import { laneLine } from '../plan/chunks.js';
import type { Db } from '../db/connection.js';
import { binlogPosition } from '../inspect/binlog.js';

export interface PoolOptions {
  workers: number;
  /** The run's control session: it stops the workers' statements on a cancel. */
  control: Writer;
  signal?: AbortSignal;
  stopOnError: boolean;
  /** Opens a worker session (prepared, holding its worker slot). */
  open: (slot: number) => Promise<Db>;
  reports: Map<number, TableReport>;
}

/** Runs every table of the scheduler; returns once no work is left and no worker holds any. */
export async function runPool(run: CopyContext, opts: PoolOptions): Promise<void> {
  const ctx: PoolContext = { run, opts, clocks: new Map(), busy: new Set(), stopping: false };
  const onAbort = () => {
    if (run.cancelled()) return;
    run.cancel();
    const why = typeof opts.signal?.reason === 'string' ? opts.signal.reason : 'cancelled';
    run.log.warn(
      `${why === 'cancelled' ? 'cancel requested' : why}: stopping the running copies and putting every table back`,
    );
    stopRun(ctx, why, true);
    for (const s of ctx.busy) opts.control.killQuery(s.db.threadId).catch(() => undefined);
  };
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all(Array.from({ length: opts.workers }, (_, i) => worker(ctx, i + 1)));
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

interface PoolContext {
  run: CopyContext;
  opts: PoolOptions;
  /** When each table started (its set-aside). */
  clocks: Map<number, number>;
  /** Sessions running a statement now (a cancel stops their statements). */
  busy: Set<WorkerSession>;
  stopping: boolean;
}

/** Open a session for a worker slot, with `reconnect` that replaces it in place. */
async function openSession(ctx: PoolContext, slot: number): Promise<WorkerSession> {
  const first = await ctx.opts.open(slot);
  const s: WorkerSession = {
    writes: new Writer(first, ctx.run.dialect, ctx.run.gtids),
    get db() {
      return this.writes.db;
    },
    reconnect: async () => {
      const old = s.writes.db;
      await old.close();
      s.writes = new Writer(await ctx.opts.open(slot), ctx.run.dialect, ctx.run.gtids);
      return old.threadId;
    },
  };
  return s;
}

async function worker(ctx: PoolContext, slot: number): Promise<void> {
  const { run } = ctx;
  let session: WorkerSession | undefined;
  try {
    for (let w = await run.scheduler.take(); w; w = await run.scheduler.take()) {
      if (!session || session.db.broken) {
        try {
          if (session) await session.reconnect();
          else session = await openSession(ctx, slot);
        } catch (e) {
          giveBack(ctx, w, `no session: ${errorText(e)}`);
          stopRun(ctx, `worker connection failed: ${errorText(e)}`, true);
          continue;
        }
      }
      ctx.busy.add(session);
      try {
        run.log.debug(`worker ${slot}: ${describeWork(w)}`);
        await perform(ctx, w, session);
      } catch (e) {
        // Only what a piece of work could not report itself: the journal could not be written.
        run.log.error(errorText(e));
        stopRun(
          ctx,
          fileSystemError(e instanceof TableError ? e.cause : e)
            ? 'the journal cannot be written'
            : errorText(e),
          true,
        );
      } finally {
        ctx.busy.delete(session);
      }
    }
  } finally {
    await session?.db.close();
  }
}

async function perform(ctx: PoolContext, w: Work, s: WorkerSession): Promise<void> {
  const { run } = ctx;
  const t = run.tables.get(w.id)!;
  switch (w.kind) {
    case 'prepare':
      // While paused no table is set aside; cancelled meanwhile, the table was never touched.
      if (!(await run.controls.pauseGate())) return run.scheduler.notPrepared(t.id);
      return prepare(ctx, t, s);
    case 'chunk': {
      // Cancelled while it waited, or the gate failed (the brake's status could not be read): the
      // chunk is not sent (surely not committed), and the scheduler hears so whatever happened.
      const go = await run.controls.gate(t.chunkRows).catch((e: unknown) => {
        run.scheduler.chunkFailed(t.id, w.chunk, true);
        throw e;
      });
      if (!go) return run.scheduler.chunkFailed(t.id, w.chunk, true);
      return runChunk(t, w.chunk, s, run);
    }
    case 'walk':
      return walk(ctx, t, s, w);
    case 'lane':
      return lane(ctx, t, s);
    case 'settle':
      return settle(t, w.suspects, s, run);
    case 'finish':
      return finish(ctx, t, s);
    case 'put-back':
      return putBack(ctx, t, s);
  }
}

async function prepare(ctx: PoolContext, t: PlannedTable, s: WorkerSession): Promise<void> {
  ctx.clocks.set(t.id, Date.now());
  let plan;
  try {
    plan = await prepareTable(t, s, ctx.run);
  } catch (e) {
    tableFailed(ctx, t, e);
    return;
  }
  ctx.run.scheduler.prepared(t.id, plan, t.resumed?.done);
}

/** The walk over the table's key; a first cut that cannot be carried turns the table to one lane. */
async function walk(
  ctx: PoolContext,
  t: PlannedTable,
  s: WorkerSession,
  w: Extract<Work, { kind: 'walk' }>,
): Promise<void> {
  const lane = await walkKey(t, s, ctx.run, w);
  if (lane === undefined) return;
  ctx.run.log.warn(`${t.schema}.${t.table}: copied by one lane: ${lane}`);
  ctx.opts.reports.get(t.id)!.chunking = laneLine(t.key!, t.chunkRows, lane);
  ctx.run.scheduler.walkToLane(t.id);
}

async function lane(ctx: PoolContext, t: PlannedTable, s: WorkerSession): Promise<void> {
  try {
    const r = await keysetLane(t, s, ctx.run);
    ctx.run.scheduler.laneDone(t.id, r.rows, r.chunks);
  } catch (e) {
    tableFailed(ctx, t, new TableError(t, 'copy', e));
  }
}

async function finish(ctx: PoolContext, t: PlannedTable, s: WorkerSession): Promise<void> {
  const { run } = ctx;
  const p = run.scheduler.progressOf(t.id);
  let binlog;
  try {
    binlog = await finishTable(t, s, run, { rows: p.rows, chunks: p.chunksDone });
  } catch (e) {
    tableFailed(ctx, t, e);
    return;
  }
  run.scheduler.finished(t.id);
  run.status.tableDone();
  const seconds = (Date.now() - (ctx.clocks.get(t.id) ?? Date.now())) / 1000;
  Object.assign(ctx.opts.reports.get(t.id)!, {
    status: 'flushed',
    rows: p.rows,
    chunks: p.chunksDone,
    seconds,
    binlog,
  });
  run.log.info(
    `${t.schema}.${t.table}: flushed ${p.rows} rows in ${p.chunksDone} chunk${p.chunksDone === 1 ? '' : 's'}, ${formatSeconds(seconds)}`,
  );
}

/**
 * A step of the table's work (prepare, lane, finish) failed: the worker gives it up, the scheduler
 * puts the table back once no other worker holds any of it; the run goes on or stops.
 */
function tableFailed(ctx: PoolContext, t: PlannedTable, e: unknown): void {
  const rep = ctx.opts.reports.get(t.id)!;
  rep.error ??= errorText(e);
  ctx.run.log.error(rep.error);
  ctx.run.scheduler.abandon(t.id, rep.error);
  const cause = e instanceof TableError ? e.cause : e;
  if (connectionUnusable(cause) || fileSystemError(cause) || ctx.opts.stopOnError) {
    stopRun(ctx, errorText(e), false);
  }
}

/**
 * Put a failed table back. After a cancel, or when this session is gone, on a fresh session: a
 * KILL QUERY sent at the abort may still be on its way to this one.
 */
async function putBack(ctx: PoolContext, t: PlannedTable, s: WorkerSession): Promise<void> {
  const { run } = ctx;
  const rep = ctx.opts.reports.get(t.id)!;
  // A failed step was logged when it failed; a failed chunk or a cancel, here.
  if (rep.error === undefined) {
    rep.error = run.scheduler.reasonOf(t.id);
    if (rep.error) run.log.error(rep.error);
  }
  const entry = {
    schema: t.schema,
    table: t.table,
    backup: t.backup,
    twin: t.twin,
    columns: columnsHash(t.columns),
  };
  let fresh: Db | undefined;
  try {
    const useFresh = run.cancelled() || s.db.broken;
    if (useFresh) fresh = await ctx.opts.open(ctx.opts.workers + 1);
    const writes = fresh ? new Writer(fresh, run.dialect) : s.writes;
    // The account never keeps a table from going back.
    await accountPartial(ctx, t, sessionOf(writes, s)).catch((e: unknown) =>
      run.log.error(`${t.schema}.${t.table}: what of it is in the binlog could not be read: ${errorText(e)}`),
    );
    const seen = run.stepsSeen.get(t.id) ?? new Set();
    // Under the family's lock: the renames of a put-back are renames of the family too.
    const res = await run.families.run(t.id, () =>
      restoreTable(entry, { writes, marker: run.marker, seen, log: run.log }),
    );
    rep.status = res.ok ? 'restored' : 'needs-recovery';
    await run.journal
      .write({ type: 'recover', id: t.id, outcome: res.outcome, at: now() })
      .catch((e: unknown) => run.log.warn(`journal: ${errorText(e)}`));
    run.log.info(`${t.schema}.${t.table}: ${res.detail}`);
    if (res.ok && !ctx.stopping)
      run.log.warn(`${t.schema}.${t.table}: put back unflushed; going on with the other tables`);
  } catch (e) {
    rep.status = 'needs-recovery';
    run.log.error(`${t.schema}.${t.table}: could not be put back: ${errorText(e)}`);
  } finally {
    await fresh?.close();
    run.scheduler.putBackDone(t.id);
  }
  if (rep.status !== 'restored' || ctx.opts.stopOnError) stopRun(ctx, `${t.schema}.${t.table} failed`, false);
}

/** `writes` as a worker session (a fresh one cannot be replaced: a lost one fails what it was doing). */
function sessionOf(writes: Writer, s: WorkerSession): WorkerSession {
  if (writes === s.writes) return s;
  return {
    writes,
    db: writes.db,
    reconnect: () => Promise.reject(new Error('the put-back session was lost')),
  };
}

/**
 * Before a table is put back: what of it is in the binlog. Its chunks in doubt are decided by the
 * binlog first; a table whose DDL or rows were logged is reported and journaled as partial, with its
 * rows and range, so that what the binlog holds is what the result, journal and manifest say.
 */
async function accountPartial(ctx: PoolContext, t: PlannedTable, s: WorkerSession): Promise<void> {
  const { run } = ctx;
  const start = run.tableStarts.get(t.id);
  if (!start) return; // nothing of it was logged: its DDL comes after this position is read
  const inDoubt = await settleDoubt(t, s, run);
  const p = run.scheduler.progressOf(t.id);
  const ddl = run.stepsSeen.get(t.id)?.has('ddl') === true;
  if (!ddl && p.chunksWithRows === 0 && !inDoubt) return;
  const binlog = { start, end: await binlogPosition(s.db, run.dialect) };
  const rep = ctx.opts.reports.get(t.id)!;
  Object.assign(rep, { rows: p.rows, chunks: p.chunksDone, binlog, partial: inDoubt ? { inDoubt } : {} });
  await run.journal.write({
    type: 'table-partial',
    id: t.id,
    at: now(),
    rows: p.rows,
    chunks: p.chunksDone,
    binlog,
    ...(inDoubt ? { inDoubt } : {}),
  });
  run.log.warn(`${t.schema}.${t.table}: ${partialText(rep)}`);
}

/** A piece of work this worker cannot do (no session): hand it back so the scheduler can go on. */
function giveBack(ctx: PoolContext, w: Work, reason: string): void {
  const sched = ctx.run.scheduler;
  const rep = ctx.opts.reports.get(w.id)!;
  switch (w.kind) {
    case 'prepare':
    case 'finish':
    case 'chunk':
    case 'lane':
    case 'settle':
    case 'walk':
      sched.abandon(w.id, reason);
      return;
    case 'put-back':
      rep.status = 'needs-recovery';
      rep.error = `could not be put back (${reason}); run recover`;
      sched.putBackDone(w.id);
      return;
  }
}

/** No new table starts; `cancel`: every table aside that is not copied is put back too. */
function stopRun(ctx: PoolContext, reason: string, cancel: boolean): void {
  ctx.stopping = true;
  ctx.run.scheduler.stop(cancel, reason);
}

function describeWork(w: Work): string {
  if (w.kind !== 'chunk') return `table ${w.id}: ${w.kind}`;
  const c = w.chunk;
  const rows =
    c.kind === 'range'
      ? `keys from ${c.lo}${c.hiEx === undefined ? '' : ` below ${c.hiEx}`}`
      : c.kind === 'cut'
        ? `between cuts ${c.seq} and ${c.seq + 1}`
        : (c.partition ?? 'whole table');
  return `table ${w.id}: chunk ${c.seq + 1} (${rows}), attempt ${w.attempt}`;
}
