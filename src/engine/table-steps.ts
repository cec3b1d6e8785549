/**
 * The steps of one table around its copy: the BLACKHOLE twin built under its parking name -> set
 * aside -> the shell (the real DDL, logged) under the real name -> the twin in, the shell parked and
 * dropped; later the swap back (the parked twin is dropped at the end of the run, in a batch). Every
 * step is in the journal, durably, before it runs.
 */
import { connectionUnusable, ddlRetryDelay } from '../db/failures.js';
import { TableError, errorText, type Phase } from '../model/errors.js';
import { binlogPosition } from '../inspect/binlog.js';
import { keyExtentOf } from '../inspect/copy-reads.js';
import { liveTable } from '../inspect/set-aside.js';
import type { JournalPosition, JournalRecord, StepName, TableFlushed } from '../journal/journal.js';
import { shellName } from '../model/table-names.js';
import { isIntegerType, needsExtent, planCopy, type CopyPlan, type CopyShape } from '../plan/chunks.js';
import { shapeHash, type PlannedTable } from '../plan/plan.js';
import { journalPlan } from '../plan/resume-chunks.js';
import { CHUNK_BYTES } from '../model/settings.js';
import type { FaultPoint } from './fault.js';
import { dropOurTables } from './restore.js';
import { now } from '../model/time.js';
import type { CopyContext, WorkerSession } from './copy-context.js';

export function copyShape(t: PlannedTable): CopyShape {
  const first = t.key ? t.columns.find((c) => c.name === t.key!.columns[0]) : undefined;
  return {
    keyColumns: t.key?.columns,
    integerKey: first ? isIntegerType(first.columnType) : false,
    carried: t.key?.carriers !== undefined,
    partitions: t.partitions,
    rowsEstimate: t.rowsEstimate,
    bytesEstimate: t.bytesEstimate,
    chunkRows: t.chunkRows,
    chunkBytes: CHUNK_BYTES,
  };
}

async function step(run: CopyContext, t: PlannedTable, name: StepName): Promise<void> {
  await run.journal.write({ type: 'step', id: t.id, step: name, at: now() });
  const seen = run.stepsSeen.get(t.id) ?? new Set<StepName>();
  seen.add(name);
  run.stepsSeen.set(t.id, seen);
}

async function fault(run: CopyContext, t: PlannedTable, p: FaultPoint): Promise<void> {
  if (run.fault) await run.fault(p, t);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A rename of the table (or the DDL under its real name), under its foreign-key family's lock, sent
 * again while the server says it was rolled back (deadlock, lock wait timeout), with backoff and a
 * bound (db/failures.ddlRetryDelay). Each retry is logged.
 */
export async function renameWithRetry(
  run: CopyContext,
  t: PlannedTable,
  what: string,
  send: () => Promise<void>,
): Promise<void> {
  await run.families.run(t.id, async () => {
    for (let failures = 1; ; failures++) {
      try {
        await send();
        return;
      } catch (e) {
        const delay = ddlRetryDelay(e, failures);
        if (delay === undefined || run.cancelled()) throw e;
        run.log.warn(
          `${t.schema}.${t.table}: ${what}: ${errorText(e)}; rolled back, retrying in ${delay} ms (attempt ${failures + 1})`,
        );
        await sleep(delay);
      }
    }
  });
}

/**
 * Build the twin, set the table aside and put the twin under its name; returns how its rows are
 * copied. The table's DDL reaches the binlog only once its twin exists: a twin the server refuses
 * leaves nothing in the binlog and the table untouched (the put-back drops the half-built twin).
 */
export async function prepareTable(t: PlannedTable, w: WorkerSession, run: CopyContext): Promise<CopyPlan> {
  let phase: Phase = 'twin';
  try {
    await step(run, t, 'build-twin');
    await w.writes.createTwinShell(t);
    await fault(run, t, 'after-shell');
    await w.writes.makeTwin(t, run.marker);
    await fault(run, t, 'after-twin');

    phase = 'set-aside';
    await step(run, t, 'set-aside');
    await renameWithRetry(run, t, 'set aside', () => w.writes.setAside(t));
    await fault(run, t, 'after-set-aside');

    phase = 'shell';
    await twinIn(t, w, run);

    phase = 'copy';
    await step(run, t, 'copy');
    const plan = t.resumed?.plan ?? (await planTheCopy(t, w));
    await journalThePlan(t, plan, run);
    return plan;
  } catch (e) {
    throw new TableError(t, phase, e);
  }
}

/** How the set-aside table is cut: a dense integer key's extent gives ranges; a carried key is walked. */
async function planTheCopy(t: PlannedTable, w: WorkerSession): Promise<CopyPlan> {
  const shape = copyShape(t);
  const extent = needsExtent(shape) ? await keyExtentOf(w.db, t.schema, t.backup, t.key!) : undefined;
  return planCopy(shape, extent);
}

/**
 * The chunk plan in the journal before the first chunk is sent, with where the table's statements
 * start in the binlog (and, resumed, the chunks an earlier run committed): what `--resume` continues.
 */
async function journalThePlan(t: PlannedTable, plan: CopyPlan, run: CopyContext): Promise<void> {
  const start = run.tableStarts.get(t.id);
  const rec = start && chunkPlanRecord(t, plan, start);
  if (rec) await run.journal.write(rec);
}

/**
 * The chunk-plan record of a table (none for a keyset lane): `start`, where its statements of this
 * run begin in the binlog. A resumed table's is written at the run's start too, so that a resume of
 * this run knows its earlier chunks even when this run stopped before it reached the table.
 */
export function chunkPlanRecord(
  t: PlannedTable,
  plan: CopyPlan,
  start: JournalPosition,
): Extract<JournalRecord, { type: 'chunk-plan' }> | undefined {
  const p = journalPlan(plan);
  if (!p) return undefined;
  return {
    type: 'chunk-plan',
    id: t.id,
    at: now(),
    plan: p,
    columns: shapeHash(t),
    ...(t.key && { key: { index: t.key.index, columns: [...t.key.columns] } }),
    binlog: start,
    ...(t.resumed && { done: t.resumed.done, rowsBefore: t.resumed.rowsBefore }),
  };
}

/**
 * The set-aside table's real DDL under its name (logged, with --ddl create), then the twin takes the
 * name in one RENAME that parks the shell, and the empty shell is dropped.
 */
async function twinIn(t: PlannedTable, w: WorkerSession, run: CopyContext): Promise<void> {
  // Nothing of this table is in the binlog before here (the twin and the renames are not logged).
  run.tableStarts.set(t.id, await binlogPosition(w.db, run.dialect));
  // Resumed: its CREATE TABLE is in the binlog already, before the rows an earlier run wrote.
  const shell = run.ddl === 'create' && !t.resumed ? shellName(t.twin) : undefined;
  if (shell) {
    await step(run, t, 'ddl');
    await renameWithRetry(run, t, 'create its shell', () => w.writes.createShell(t));
    await fault(run, t, 'after-ddl');
  }
  await step(run, t, 'twin-in');
  await renameWithRetry(run, t, 'twin in', () => w.writes.twinIn(t, shell));
  await fault(run, t, 'after-twin-in');
  if (!shell) return;
  await step(run, t, 'drop-shell');
  const refused = await dropOurTables(
    w.writes,
    [{ schema: t.schema, table: shell, proven: true }],
    run.marker,
  );
  if (refused.length) {
    throw new Error(
      `its shell ${t.schema}.${shell} was not dropped: ${refused[0]!.why} (written while the table was set aside)`,
    );
  }
}

/**
 * Every row is in the binlog: the backup takes the name back; the twin is parked. Returns the table's
 * binlog range (for the manifest).
 */
export async function finishTable(
  t: PlannedTable,
  w: WorkerSession,
  run: CopyContext,
  done: { rows: number; chunks: number },
): Promise<TableFlushed['binlog']> {
  try {
    await fault(run, t, 'after-copy');
    await step(run, t, 'swap-back');
    await swapBack(t, w, run);
    await fault(run, t, 'after-swap');
    // The table is back. Its twin stays parked under its own name (a marked, empty BLACKHOLE
    // table) and is dropped with others in one statement at the end of the run.
    const binlog = await tableRange(t, w, run);
    await run.journal.write({ type: 'table-done', id: t.id, at: now(), ...done, binlog });
    return binlog;
  } catch (e) {
    throw new TableError(t, 'swap-back', e);
  }
}

/**
 * The table's binlog range: from before its first logged statement to now (every chunk has committed,
 * and the swap back is not logged). Only the manifest needs it: a table whose range cannot be read is
 * still flushed, with a warning, and its manifest entry has no range.
 */
async function tableRange(
  t: PlannedTable,
  w: WorkerSession,
  run: CopyContext,
): Promise<TableFlushed['binlog']> {
  const start = run.tableStarts.get(t.id);
  if (!start) return undefined;
  try {
    return { start, end: await binlogPosition(w.db, run.dialect) };
  } catch (e) {
    run.log.warn(
      `${t.schema}.${t.table}: its binlog range for the manifest could not be read: ${errorText(e)}`,
    );
    return undefined;
  }
}

/**
 * The swap back, on a new session when the connection is lost (an idle session killed by a DBA or
 * wait_timeout, say): every row is in the binlog already, so a lost connection here must not throw
 * the copy away. The live tables say whether the one atomic RENAME happened.
 */
async function swapBack(t: PlannedTable, w: WorkerSession, run: CopyContext): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await renameWithRetry(run, t, 'swap back', () => w.writes.swapBack(t));
      return;
    } catch (e) {
      if (!connectionUnusable(e) || attempt >= 3 || run.cancelled()) throw e;
      run.log.warn(
        `${t.schema}.${t.table}: swap back: ${errorText(e)}; looking at the live tables on a new session`,
      );
      await w.reconnect();
      const [backup, parked] = await Promise.all([
        liveTable(w.db, t.schema, t.backup),
        liveTable(w.db, t.schema, t.twin),
      ]);
      if (!backup.exists && parked.exists) return; // it had happened
    }
  }
}
