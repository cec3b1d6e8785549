/**
 * The copy: chunks of a range or parts plan (any worker), a settle that reads the binlog when a
 * chunk's outcome is unknown, and the keyset lane (one session, one chunk after the other).
 *
 * Exactly once: a chunk whose reply was lost or that was stopped may still have committed, so it is
 * never sent again before the binlog was read. Before reading it, the lost sessions of the table are
 * killed and gone (a statement the server still runs could commit after the count).
 */
import {
  chunkMayBeRetried,
  connectionUnusable,
  fileSystemError,
  outcomeUnknown,
  surelyRolledBack,
} from '../db/failures.js';
import { errorText } from '../model/errors.js';
import { chunkRowsOf, nextCutOf, rowsAfterStart, sessionAlive } from '../inspect/copy-reads.js';
import { cutChunk } from '../plan/chunks.js';
import { committedStatements } from '../inspect/binlog.js';
import type { Chunk, KeyValue } from '../model/copy.js';
import type { ChunkAck } from '../journal/journal.js';
import type { PlannedTable } from '../plan/plan.js';
import { now } from '../model/time.js';
import type { CopyContext, WorkerSession } from './copy-context.js';

/** Attempts per chunk: a retry is decided by the binlog, so it is safe; a chunk killed this often is not bad luck. */
export const MAX_CHUNK_ATTEMPTS = 5;

/** Acknowledge a copied chunk: scheduler, progress, journal. */
async function acknowledge(t: PlannedTable, chunk: Chunk, rows: number, run: CopyContext): Promise<void> {
  const done = run.scheduler.chunkDone(t.id, chunk, rows);
  run.log.debug(`table ${t.id}: chunk ${chunk.seq + 1} done, ${rows} rows`);
  run.status.advance(rows);
  await recordChunk(t, done.chunksDone, done.rows, run, [{ seq: chunk.seq, rows }]);
}

/** The journal's chunk record (chunks done and rows so far); after the first, the mid-copy fault point. */
async function recordChunk(
  t: PlannedTable,
  chunksDone: number,
  rows: number,
  run: CopyContext,
  acks?: ChunkAck[],
): Promise<void> {
  const gtids = run.gtids?.take(t.id);
  await run.journal.write({
    type: 'chunk',
    id: t.id,
    chunk: chunksDone,
    rows,
    at: now(),
    ...(gtids && { gtids }),
    ...(acks && { acks }),
  });
  if (chunksDone === 1 && run.fault) await run.fault('mid-copy', t);
}

/**
 * One chunk. A failure that may be retried goes back to the scheduler (at once when it surely rolled
 * back, else through a settle); any other failure fails the table.
 */
export async function runChunk(
  t: PlannedTable,
  chunk: Chunk,
  w: WorkerSession,
  run: CopyContext,
): Promise<void> {
  let rows: number;
  // On record before it is sent: after a crash, the chunks out are the binlog's to decide (a resume).
  // Not on record, it is not sent: the scheduler hears so, or the table would never be put back.
  try {
    await run.journal.write({ type: 'chunk-sent', id: t.id, seq: chunk.seq, at: now() });
  } catch (e) {
    run.scheduler.chunkFailed(t.id, chunk, true);
    throw e;
  }
  try {
    run.status.chunkSent();
    rows = await w.writes.copyPlannedChunk(t, chunk);
  } catch (e) {
    if (run.cancelled() && outcomeUnknown(e)) {
      // Stopped by the cancel, maybe after it committed: the put-back asks the binlog.
      if (connectionUnusable(e)) loseSession(t, w, run);
      run.scheduler.chunkFailed(t.id, chunk, false);
      return;
    }
    if (run.cancelled() || !chunkMayBeRetried(e)) {
      run.scheduler.abandon(t.id, `${t.schema}.${t.table}: copy failed: ${errorText(e)}`);
      return;
    }
    const how = surelyRolledBack(e) ? 'retrying' : 'checking the binlog and retrying';
    run.log.warn(`${t.schema}.${t.table}: chunk ${chunk.seq + 1} failed (${errorText(e)}); ${how}`);
    // The lost session is on record before the scheduler can hand out the settle that needs it.
    const lost = connectionUnusable(e);
    if (lost) loseSession(t, w, run);
    run.scheduler.chunkFailed(t.id, chunk, surelyRolledBack(e));
    if (lost) await w.reconnect();
    return;
  }
  await acknowledge(t, chunk, rows, run);
}

/** The worker's session is lost: on record for the table's settle, which kills it first. */
function loseSession(t: PlannedTable, w: WorkerSession, run: CopyContext): void {
  run.lostSessions.set(t.id, [...(run.lostSessions.get(t.id) ?? []), w.db.threadId]);
}

/**
 * The one settle routine behind every chunk in doubt (a lost reply, a kill, a cancel): how many of
 * the table's chunk statements the binlog holds beyond the `acknowledged` ones that wrote rows. The
 * table's lost sessions are killed and gone first, so that nothing commits after the count.
 */
async function committedUnacknowledged(
  t: PlannedTable,
  w: WorkerSession,
  run: CopyContext,
  acknowledged: number,
): Promise<number> {
  await buryLostSessions(t, w, run);
  return (
    (await committedStatements(
      w.db,
      run.tableStarts.get(t.id) ?? run.runStart,
      t.schema,
      t.table,
      run.ours,
    )) - acknowledged
  );
}

/** Kill the table's lost sessions and wait until the server has let them go. */
async function buryLostSessions(t: PlannedTable, w: WorkerSession, run: CopyContext): Promise<void> {
  for (const id of run.lostSessions.get(t.id) ?? []) {
    await w.writes.killConnection(id).catch(() => undefined); // gone already: "Unknown thread id"
    const end = Date.now() + 60_000;
    while (await sessionAlive(w.db, id)) {
      if (Date.now() > end)
        throw new Error(`session ${id} of this run does not end; cannot tell what it committed`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  run.lostSessions.delete(t.id);
}

/**
 * Decide the chunks in doubt, with no other chunk of the table running: the binlog holds one
 * statement per chunk that wrote rows. Suspects with no rows are done either way; of the others,
 * either all committed or none did, else the table cannot be finished exactly once and fails.
 */
export async function settle(
  t: PlannedTable,
  suspects: Chunk[],
  w: WorkerSession,
  run: CopyContext,
): Promise<void> {
  let verdict: { committed: { chunk: Chunk; rows: number }[]; resend: Chunk[]; extra: number } | undefined;
  // Reading writes nothing: a session lost meanwhile is replaced and the reading starts over.
  for (let attempt = 1; !verdict; attempt++) {
    try {
      verdict = await readVerdict(t, suspects, w, run);
    } catch (e) {
      if (connectionUnusable(e) && attempt < MAX_CHUNK_ATTEMPTS && !run.cancelled()) {
        await w.reconnect().catch(() => undefined);
        continue;
      }
      run.scheduler.abandon(t.id, `${t.schema}.${t.table}: could not tell what was copied: ${errorText(e)}`);
      return;
    }
  }
  const { committed, resend, extra } = verdict;
  if (extra > 0)
    run.log.info(`${t.schema}.${t.table}: ${extra} chunk(s) in doubt had committed; not sent again`);
  run.scheduler.settled(t.id, committed, resend);
  for (const c of committed) run.status.advance(c.rows);
  await recordSettled(t, committed, run);
}

/** The chunk record of chunks a settle found committed (none: nothing to record). */
async function recordSettled(
  t: PlannedTable,
  committed: { chunk: Chunk; rows: number }[],
  run: CopyContext,
): Promise<void> {
  if (!committed.length) return;
  const p = run.scheduler.progressOf(t.id);
  await run.journal.write({
    type: 'chunk',
    id: t.id,
    chunk: p.chunksDone,
    rows: p.rows,
    at: now(),
    acks: committed.map((c) => ({ seq: c.chunk.seq, rows: c.rows })),
  });
}

async function readVerdict(
  t: PlannedTable,
  suspects: Chunk[],
  w: WorkerSession,
  run: CopyContext,
): Promise<{ committed: { chunk: Chunk; rows: number }[]; resend: Chunk[]; extra: number }> {
  const extra = await committedUnacknowledged(t, w, run, run.scheduler.progressOf(t.id).chunksWithRows);
  const counted: { chunk: Chunk; rows: number }[] = [];
  for (const chunk of suspects)
    counted.push({ chunk, rows: await chunkRowsOf(w.db, t.schema, t.backup, t.key, chunk) });
  const empty = counted.filter((c) => c.rows === 0);
  const full = counted.filter((c) => c.rows > 0);
  if (extra !== 0 && extra !== full.length) {
    throw new Error(
      `${extra} of the ${full.length} chunks in doubt committed, and the binlog cannot say which`,
    );
  }
  return extra === 0
    ? { committed: empty, resend: full.map((c) => c.chunk), extra }
    : { committed: counted, resend: [], extra };
}

/**
 * The walk over the table's key, on this worker's session while the others copy: each cut it finds is
 * journaled, then the chunk it closes goes to any worker; its end opens the last chunk. It stops when
 * the table fails or the run is cancelled. Returns why the table must go by one lane instead when its
 * first cut cannot be carried (nothing was handed out then); a later one fails the table.
 */
export async function walkKey(
  t: PlannedTable,
  w: WorkerSession,
  run: CopyContext,
  from: { after: KeyValue | undefined; seq: number },
): Promise<string | undefined> {
  let { after, seq } = from;
  try {
    for (;;) {
      if (run.cancelled() || !run.scheduler.walking(t.id)) {
        run.scheduler.walkStopped(t.id);
        return undefined;
      }
      const cut = await readCut(t, w, run, after);
      if (typeof cut === 'string') {
        if (seq === 0) return cut;
        run.scheduler.walkStopped(t.id, `${t.schema}.${t.table}: could not cut chunk ${seq + 1}: ${cut}`);
        return undefined;
      }
      await run.journal.write({ type: 'chunk-cut', id: t.id, seq, cut: cut ?? null, at: now() });
      if (!cut) {
        run.scheduler.walkDone(t.id, cutChunk(seq, after, undefined));
        return undefined;
      }
      run.scheduler.cutFound(t.id, cutChunk(seq, after, cut));
      after = cut;
      seq += 1;
    }
  } catch (e) {
    run.scheduler.walkStopped(t.id, `${t.schema}.${t.table}: could not cut it into chunks: ${errorText(e)}`);
    // The journal could not be written: the run stops (the worker says so). Else the put-back says why.
    if (fileSystemError(e)) throw e;
    return undefined;
  }
}

/** One step of the walk; it only reads, so a lost session is replaced and the step read again. */
async function readCut(
  t: PlannedTable,
  w: WorkerSession,
  run: CopyContext,
  after: KeyValue | undefined,
): ReturnType<typeof nextCutOf> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await nextCutOf(w.db, t.schema, t.backup, t.key!, t.chunkRows, after);
    } catch (e) {
      if (!connectionUnusable(e) || attempt >= MAX_CHUNK_ATTEMPTS || run.cancelled()) throw e;
      run.log.warn(
        `${t.schema}.${t.table}: the walk over its key lost its session (${errorText(e)}); reading on a new one`,
      );
      await w.reconnect();
    }
  }
}

/**
 * The keyset lane: the table's chunks one after the other on this session, each boundary found by
 * the server. Returns rows and chunks; throws when a chunk cannot be finished exactly once, or at a
 * cancel (after the binlog said whether the chunk it stopped had committed: the account is exact).
 */
export async function keysetLane(
  t: PlannedTable,
  w: WorkerSession,
  run: CopyContext,
): Promise<{ rows: number; chunks: number }> {
  const lane: Lane = { rows: 0, chunks: 0, withRows: 0, last: await w.writes.keysetBegin(t, t.key!, 0) };
  for (let done = false; !done;) {
    if (!(await run.controls.gate(t.chunkRows))) throw new Error('cancelled');
    const bounds = { first: lane.chunks === 0, last: lane.last };
    const result = await laneChunk(t, w, run, lane, bounds);
    lane.rows += result.rows;
    lane.chunks += 1;
    if (result.rows > 0) lane.withRows += 1;
    run.scheduler.laneProgress(t.id, lane.rows, lane.chunks, lane.withRows);
    run.status.advance(result.rows);
    await recordChunk(t, lane.chunks, lane.rows, run);
    if (run.cancelled()) throw new Error('cancelled');
    done = bounds.last;
    lane.last = result.lastNext;
  }
  return { rows: lane.rows, chunks: lane.chunks };
}

/** A keyset lane's totals so far, and whether its next chunk is the last. */
interface Lane {
  rows: number;
  chunks: number;
  withRows: number;
  last: boolean;
}

type LaneResult = { rows: number; lastNext: boolean };

/**
 * One chunk of the lane, sent again after a failure the binlog says did not commit. Stopped by a
 * cancel: counted when it had committed, then the cancel goes on.
 */
async function laneChunk(
  t: PlannedTable,
  w: WorkerSession,
  run: CopyContext,
  lane: Lane,
  bounds: { first: boolean; last: boolean },
): Promise<LaneResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      run.status.chunkSent();
      return await w.writes.keysetChunk(t, t.key!, bounds);
    } catch (e) {
      const cancelledInDoubt = run.cancelled() && outcomeUnknown(e);
      if (!cancelledInDoubt && (run.cancelled() || !chunkMayBeRetried(e) || attempt >= MAX_CHUNK_ATTEMPTS))
        throw e;
      if (!cancelledInDoubt)
        run.log.warn(
          `${t.schema}.${t.table}: chunk ${lane.chunks + 1} failed (${errorText(e)}); checking the binlog and retrying`,
        );
      if (connectionUnusable(e)) run.lostSessions.set(t.id, [await w.reconnect()]);
      const committed = await laneCommitted(t, w, run, lane);
      if (committed) return committed;
      if (cancelledInDoubt) throw e;
      lane.last = await w.writes.keysetBegin(t, t.key!, lane.rows);
      bounds.last = lane.last;
    }
  }
}

/** Whether the lane's chunk in doubt committed, read from the binlog: its result, or undefined. */
async function laneCommitted(
  t: PlannedTable,
  w: WorkerSession,
  run: CopyContext,
  lane: Lane,
): Promise<LaneResult | undefined> {
  if ((await committedUnacknowledged(t, w, run, lane.withRows)) <= 0) return undefined;
  // It committed: a full chunk holds chunkRows rows by construction; the last one, the rest.
  const n = lane.last ? await rowsAfterStartOf(t, w, lane.rows) : t.chunkRows;
  run.log.info(
    `${t.schema}.${t.table}: chunk ${lane.chunks + 1} had been committed (${n} rows); not sent again`,
  );
  return { rows: n, lastNext: lane.last ? true : await w.writes.keysetBegin(t, t.key!, lane.rows + n) };
}

/**
 * A failed table's chunks in doubt, decided by the binlog before it is put back (its backup still
 * holds the rows), so that its account is exact. Returns how many stay undecided (the binlog holds
 * some of them and cannot say which).
 */
export async function settleDoubt(t: PlannedTable, w: WorkerSession, run: CopyContext): Promise<number> {
  const doubt = run.scheduler.inDoubt(t.id);
  if (!doubt.length) return 0;
  try {
    const v = await readVerdict(t, doubt, w, run);
    const committed = v.extra > 0 ? v.committed.filter((c) => c.rows > 0) : [];
    run.scheduler.doubtSettled(t.id, committed);
    if (committed.length)
      run.log.info(
        `${t.schema}.${t.table}: ${committed.length} chunk(s) stopped by the cancel had committed`,
      );
    await recordSettled(t, committed, run);
    return 0;
  } catch (e) {
    run.log.error(
      `${t.schema}.${t.table}: ${doubt.length} chunk(s) in doubt stay undecided: ${errorText(e)}`,
    );
    return doubt.length;
  }
}

async function rowsAfterStartOf(t: PlannedTable, w: WorkerSession, rowsDone: number): Promise<number> {
  if (rowsDone > 0) await w.writes.keysetBegin(t, t.key!, rowsDone);
  return rowsAfterStart(w.db, t.schema, t.backup, t.key!, rowsDone === 0);
}
