/**
 * One table through the pipeline: set aside -> shell (the real DDL) -> BLACKHOLE twin -> copy ->
 * swap back (the parked twin is dropped later, in a batch). Every step is written to the journal, durably, before it runs.
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
  copyRange,
  countAfterStart,
  countRange,
  keyExtent,
  nextBoundary,
  seekStart,
  renameTable,
  setSqlLogBin,
  shellDdl,
  swapBack,
  twinAlter,
} from '../sql/builders.js';
import { TableError, errorText, serverErrno, type Phase } from '../errors.js';
import { committedStatements } from '../inspect/inspector.js';
import { CHUNK_BYTES } from '../settings.js';
import type { Logger } from '../log.js';
import type { Progress } from './progress.js';

import type { FaultHook, FaultPoint } from './fault.js';

/** The worker's connection; replaced after a lost connection. */
export interface WorkerConnection {
  db: Db;
  reconnect(): Promise<void>;
}

export interface TableContext {
  conn: WorkerConnection;
  log: Logger;
  dialect: Dialect;
  journal: JournalWriter;
  marker: string;
  ddl: DdlMode;
  progress: Progress;
  fault?: FaultHook;
  /**
   * The binlog position before the run's first change. Each table is flushed once per run, so every
   * row-event statement under its name since then is ours (a retry counts them).
   */
  runStart: { file: string; position: number };
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
  const { journal } = ctx;
  const db = () => ctx.conn.db;
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
    await db().exec(`${setSqlLogBin(false)};\n${renameTable(t.schema, t.table, t.backup)}`);
    await fault('after-set-aside');

    await step('twin', 'shell');
    const ddl = shellDdl(t.showCreate, t.schema, t.table, { stripChecks: ctx.dialect.checkNamesPerSchema });
    await db().exec(`${setSqlLogBin(ctx.ddl === 'create')};\n${ddl}`);
    await fault('after-shell');
    phase = 'twin';
    const spec = twinSpecFor(t, ctx.marker);
    await db().exec(`${setSqlLogBin(false)};\n${twinAlter(t.schema, t.table, spec)}`);
    await fault('after-twin');

    await step('copy', 'copy');
    const { rows, chunks } = await copyRows(t, ctx, () => fault('mid-copy'));
    await fault('after-copy');

    await step('swap-back', 'swap-back');
    await db().exec(`${setSqlLogBin(false)};\n${swapBack(t.schema, t.table, t.backup, t.twin)}`);
    await fault('after-swap');

    // The table is back. Its twin stays parked under its own name (a marked, empty BLACKHOLE
    // table) and is dropped with others in one statement at the end of the run.
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

/** Errors after which a chunk is retried on a new connection (its outcome is then read from the binlog). */
export function retriable(e: unknown): boolean {
  const errno = serverErrno(e);
  const code = (e as { code?: string }).code ?? '';
  const fatal = (e as { fatal?: boolean }).fatal === true;
  return (
    fatal ||
    [1317, 1927, 1205, 1213, 2006, 2013].includes(errno ?? 0) ||
    [
      'PROTOCOL_CONNECTION_LOST',
      'ECONNRESET',
      'EPIPE',
      'ER_QUERY_INTERRUPTED',
      'ER_CONNECTION_KILLED',
    ].includes(code)
  );
}

const INTEGER = /^(tiny|small|medium|big)?int\b/i;
export const MAX_CHUNK_ATTEMPTS = 3;

/** How the rows of a table are cut into binlog transactions. */
type Strategy =
  | { kind: 'range'; lo: bigint; hi: bigint; step: bigint }
  | { kind: 'keyset' }
  | { kind: 'parts'; parts: (string | undefined)[] };

/** A table this far under one chunk (by the server's estimates) is copied in one statement. */
const WHOLE_TABLE_MARGIN = 4;

async function chooseStrategy(t: PlannedTable, ctx: TableContext): Promise<Strategy> {
  if (!t.key) return { kind: 'parts', parts: t.partitions.length ? t.partitions : [undefined] };
  if (
    t.rowsEstimate * WHOLE_TABLE_MARGIN <= t.chunkRows &&
    t.bytesEstimate * WHOLE_TABLE_MARGIN <= CHUNK_BYTES
  ) {
    return { kind: 'parts', parts: [undefined] };
  }
  const col = t.columns.find((c) => c.name === t.key!.columns[0]);
  if (t.key.columns.length === 1 && col && INTEGER.test(col.columnType)) {
    const ext = await ctx.conn.db.one(keyExtent(t.schema, t.backup, t.key));
    if (ext?.lo === null || ext?.lo === undefined) return { kind: 'range', lo: 0n, hi: -1n, step: 1n };
    const lo = BigInt(String(ext.lo));
    const hi = BigInt(String(ext.hi));
    // Dense enough: at most twice as many key values as rows, so no chunk is mostly empty.
    if (hi - lo + 1n <= 2n * BigInt(Math.max(t.rowsEstimate, 1)) + BigInt(t.chunkRows)) {
      return { kind: 'range', lo, hi, step: BigInt(t.chunkRows) };
    }
  }
  return { kind: 'keyset' };
}

interface ChunkRun {
  /** Send the chunk; returns rows written and whether it was the last one. */
  send(): Promise<{ rows: number; last: boolean }>;
  /** After a lost reply: the chunk did commit; how many rows and was it the last. */
  committed(): Promise<{ rows: number; last: boolean }>;
  /** After a lost reply: the chunk did not commit; make the new session ready to send it again. */
  reseat(rowsDone: number): Promise<void>;
}

async function copyRows(
  t: PlannedTable,
  ctx: TableContext,
  midCopy: () => Promise<void>,
): Promise<{ rows: number; chunks: number }> {
  const cols = t.columns.map((c) => c.name);
  const { journal } = ctx;
  await ctx.conn.db.exec(setSqlLogBin(true));
  const strategy = await chooseStrategy(t, ctx);
  let rows = 0;
  let chunks = 0;
  let done = false;

  // The chunk sequence of each strategy, as a cursor over "the next chunk".
  let nextLo = strategy.kind === 'range' ? strategy.lo : 0n;
  let partIndex = 0;
  let first = true;
  let lastKnown = false;
  if (strategy.kind === 'range' && strategy.hi < strategy.lo) done = true; // empty table
  if (strategy.kind === 'keyset') {
    lastKnown = lastFlag(
      await ctx.conn.db.multi(nextBoundary(t.schema, t.backup, t.key!, t.chunkRows, true)),
    );
  }

  const current = (): ChunkRun => {
    const db = () => ctx.conn.db;
    if (strategy.kind === 'range') {
      const lo = nextLo;
      const hiEx = lo + strategy.step;
      const last = hiEx > strategy.hi;
      return {
        send: async () => ({
          rows: affected(
            (
              await db().multi([
                copyRange(t.schema, t.table, t.backup, cols, t.key!, lo, last ? undefined : hiEx),
              ])
            )[0],
          ),
          last,
        }),
        committed: async () => ({
          rows: Number(
            (await db().one(countRange(t.schema, t.backup, t.key!, lo, last ? undefined : hiEx)))?.n ?? 0,
          ),
          last,
        }),
        reseat: async () => undefined,
      };
    }
    if (strategy.kind === 'parts') {
      const p = strategy.parts[partIndex];
      const last = partIndex === strategy.parts.length - 1;
      return {
        send: async () => ({
          rows: affected((await db().multi([copyAll(t.schema, t.table, t.backup, cols, p)]))[0]),
          last,
        }),
        committed: async () => ({
          rows: Number(
            (
              await db().one(
                `SELECT COUNT(*) AS n FROM ${copyAll(t.schema, t.table, t.backup, cols, p).split(' FROM ')[1]}`,
              )
            )?.n ?? 0,
          ),
          last,
        }),
        reseat: async () => undefined,
      };
    }
    const key = t.key!;
    const n = key.columns.length;
    const wasFirst = first;
    const isLast = lastKnown;
    return {
      send: async () => {
        if (isLast) {
          const [res] = await db().multi([
            copyChunk(t.schema, t.table, t.backup, cols, key, { first: wasFirst, last: true }),
          ]);
          return { rows: affected(res), last: true };
        }
        // One round trip: this chunk, move the start, find the next boundary.
        const results = await db().multi([
          copyChunk(t.schema, t.table, t.backup, cols, key, { first: wasFirst, last: false }),
          advanceStart(n),
          ...nextBoundary(t.schema, t.backup, key, t.chunkRows, false),
        ]);
        lastKnown = lastFlag(results);
        return { rows: affected(results[0]), last: false };
      },
      committed: async () => {
        if (isLast) {
          if (rows > 0) await db().multi(seekStart(t.schema, t.backup, key, rows));
          return {
            rows: Number((await db().one(countAfterStart(t.schema, t.backup, key, rows === 0)))?.n ?? 0),
            last: true,
          };
        }
        // A full chunk: exactly chunkSize rows by construction. Seat the next one.
        await db().multi(seekStart(t.schema, t.backup, key, rows + t.chunkRows));
        lastKnown = lastFlag(await db().multi(nextBoundary(t.schema, t.backup, key, t.chunkRows, false)));
        return { rows: t.chunkRows, last: false };
      },
      reseat: async (rowsDone) => {
        if (rowsDone > 0) await db().multi(seekStart(t.schema, t.backup, key, rowsDone));
        lastKnown = lastFlag(
          await db().multi(nextBoundary(t.schema, t.backup, key, t.chunkRows, rowsDone === 0)),
        );
      },
    };
  };
  const advance = () => {
    if (strategy.kind === 'range') nextLo += strategy.step;
    if (strategy.kind === 'parts') partIndex += 1;
    first = false;
  };

  while (!done) {
    const chunk = current();
    let result: { rows: number; last: boolean } | undefined;
    for (let attempt = 1; !result; attempt++) {
      try {
        result = await chunk.send();
      } catch (e) {
        if (ctx.cancelled() || !retriable(e) || attempt >= MAX_CHUNK_ATTEMPTS) throw e;
        ctx.log.warn(
          `${t.schema}.${t.table}: chunk ${chunks + 1} failed (${errorText(e)}); checking the binlog and retrying`,
        );
        await ctx.conn.reconnect();
        await ctx.conn.db.exec(setSqlLogBin(true));
        const seen = await committedStatements(ctx.conn.db, ctx.runStart, t.schema, t.table);
        if (seen > chunks) {
          result = await chunk.committed();
          ctx.log.info(
            `${t.schema}.${t.table}: chunk ${chunks + 1} had been committed (${result.rows} rows); not sent again`,
          );
        } else {
          await chunk.reseat(rows);
        }
      }
    }
    rows += result.rows;
    chunks += 1;
    ctx.progress.advance(t, result.rows);
    await journal.write({ type: 'chunk', id: t.id, chunk: chunks, rows, at: now() });
    if (chunks === 1) await midCopy();
    if (ctx.cancelled()) throw new CancelledError();
    advance();
    done = result.last;
  }
  return { rows, chunks };
}
