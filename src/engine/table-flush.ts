/**
 * One table through the pipeline: set aside -> shell (the real DDL) -> BLACKHOLE twin -> copy ->
 * swap back -> drop the parked twin. Every step is written to the journal, durably, before it runs.
 */
import type { Db } from '../db/connection.js';
import type { Dialect } from '../db/dialect.js';
import type { DdlMode } from '../settings.js';
import type { JournalWriter, StepName } from '../journal/journal.js';
import type { PlannedTable } from '../plan/plan.js';
import { twinSpecFor } from '../plan/plan.js';
import {
  advanceStart,
  copyAll,
  copyChunk,
  nextBoundary,
  renameTable,
  setSqlLogBin,
  shellDdl,
  swapBack,
  twinAlter,
} from '../sql/builders.js';
import { TableError, type Phase } from '../errors.js';
import { dropOurTwin } from './restore.js';
import type { Progress } from './progress.js';

/** Test-only points where a fault can be injected (BINLOG_FLUSHER_FAULT). */
export type FaultPoint =
  'after-set-aside' | 'after-shell' | 'after-twin' | 'mid-copy' | 'after-copy' | 'after-swap';

export interface TableContext {
  db: Db;
  dialect: Dialect;
  journal: JournalWriter;
  marker: string;
  ddl: DdlMode;
  chunkSize: number;
  progress: Progress;
  fault?: (point: FaultPoint, t: PlannedTable) => void | Promise<void>;
  /** Set when the run is being cancelled; checked between chunks. */
  cancelled: () => boolean;
}

export interface TableResult {
  rows: number;
  chunks: number;
  seconds: number;
}

const now = () => new Date().toISOString();

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export async function flushTable(t: PlannedTable, ctx: TableContext): Promise<TableResult> {
  const started = process.hrtime.bigint();
  const { db, journal } = ctx;
  const ref = { schema: t.schema, table: t.table };
  let phase: Phase = 'set-aside';
  const step = async (name: StepName, p: Phase) => {
    phase = p;
    await journal.write({ type: 'step', id: t.id, step: name, at: now() });
  };
  const fault = async (p: FaultPoint) => {
    if (ctx.fault) await ctx.fault(p, t);
  };
  try {
    await step('set-aside', 'set-aside');
    await db.exec(`${setSqlLogBin(false)};\n${renameTable(t.schema, t.table, t.backup)}`);
    await fault('after-set-aside');

    await step('twin', 'shell');
    const ddl = shellDdl(t.showCreate, t.schema, t.table, { stripChecks: ctx.dialect.checkNamesPerSchema });
    await db.exec(`${setSqlLogBin(ctx.ddl === 'create')};\n${ddl}`);
    await fault('after-shell');
    phase = 'twin';
    const spec = twinSpecFor(t, ctx.marker, ctx.dialect.blackholePartitions);
    await db.exec(`${setSqlLogBin(false)};\n${twinAlter(t.schema, t.table, spec)}`);
    await fault('after-twin');

    await step('copy', 'copy');
    const { rows, chunks } = await copyRows(t, ctx, () => fault('mid-copy'));
    await fault('after-copy');

    await step('swap-back', 'swap-back');
    await db.exec(`${setSqlLogBin(false)};\n${swapBack(t.schema, t.table, t.backup, t.twin)}`);
    await fault('after-swap');

    await step('drop-twin', 'drop-twin');
    await dropOurTwin(db, t.schema, t.twin, ctx.marker);
    await journal.write({ type: 'table-done', id: t.id, rows, at: now() });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows, chunks, seconds };
  } catch (e) {
    if (e instanceof CancelledError) throw new TableError(ref, phase, 'cancelled');
    throw new TableError(ref, phase, e);
  }
}

function affected(res: unknown): number {
  if (res && typeof res === 'object' && 'affectedRows' in res)
    return Number((res as { affectedRows: number }).affectedRows);
  return 0;
}

/** The last result set of a multi-statement reply: `[{last: 0|1}]`. */
function lastFlag(results: unknown[]): boolean {
  const set = results[results.length - 1];
  const row = Array.isArray(set) ? (set[0] as { last?: unknown } | undefined) : undefined;
  return Number(row?.last) === 1;
}

async function copyRows(
  t: PlannedTable,
  ctx: TableContext,
  midCopy: () => Promise<void>,
): Promise<{ rows: number; chunks: number }> {
  const { db, journal } = ctx;
  const cols = t.columns.map((c) => c.name);
  let rows = 0;
  let chunks = 0;
  const tick = async (n: number) => {
    rows += n;
    chunks += 1;
    ctx.progress.advance(t, n);
    await journal.write({ type: 'chunk', id: t.id, chunk: chunks, rows, at: now() });
    if (chunks === 1) await midCopy();
    if (ctx.cancelled()) throw new CancelledError();
  };
  await db.exec(setSqlLogBin(true));
  if (!t.key) {
    const parts = t.partitions.length ? t.partitions : [undefined];
    for (const p of parts) {
      const [res] = await db.multi([copyAll(t.schema, t.table, t.backup, cols, p)]);
      await tick(affected(res));
    }
    return { rows, chunks };
  }
  const key = t.key;
  const n = key.columns.length;
  let first = true;
  let last = lastFlag(await db.multi(nextBoundary(t.schema, t.backup, key, ctx.chunkSize, true)));
  for (;;) {
    if (last) {
      const [res] = await db.multi([
        copyChunk(t.schema, t.table, t.backup, cols, key, { first, last: true }),
      ]);
      await tick(affected(res));
      return { rows, chunks };
    }
    // One round trip: this chunk, move the start, find the next boundary.
    const results = await db.multi([
      copyChunk(t.schema, t.table, t.backup, cols, key, { first, last: false }),
      advanceStart(n),
      ...nextBoundary(t.schema, t.backup, key, ctx.chunkSize, false),
    ]);
    first = false;
    last = lastFlag(results);
    await tick(affected(results[0]));
  }
}
