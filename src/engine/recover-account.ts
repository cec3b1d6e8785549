/**
 * After recover has put every table back: what the binlog holds of each table a killed run left
 * part-copied, counted as a resume counts it (its chunk statements between where the table's
 * statements began and where recover found the binlog; the chunks that were out when the run died
 * decided by the rows they hold), and journaled as the table's partial account. The manifest and
 * `verify` then say what the binlog holds, not only what the run had acknowledged. Reads the server;
 * writes only the journal.
 */
import type { Db } from '../db/connection.js';
import type { Dialect } from '../flavours/index.js';
import { errorText } from '../model/errors.js';
import type { Logger } from '../model/log.js';
import { now } from '../model/time.js';
import type { CopyKey } from '../model/copy.js';
import { committedStatements } from '../inspect/binlog.js';
import { ourEventsOfJournal } from '../inspect/our-events.js';
import { chunkRowsOf } from '../inspect/copy-reads.js';
import { readShapes, shapeOf } from '../inspect/shapes.js';
import {
  tableState,
  type JournalPosition,
  type JournalState,
  type JournalTable,
  type JournalWriter,
} from '../journal/journal.js';
import { withOrdinals } from '../plan/plan.js';
import { withCarriers } from '../plan/carriers.js';
import { journalChunks, resumePoint, type JournalChunks } from '../plan/resume-chunks.js';

interface Account {
  rows: number;
  chunks: number;
  /** Chunks the binlog could not decide: `rows` is then a floor. */
  inDoubt?: number;
}

/** Whether the run may have logged something of the table: its DDL, its chunk plan, a chunk. */
function mayHaveLogged(j: JournalState, id: number): boolean {
  const t = tableState(j, id);
  return t.copyPlan !== undefined || t.chunk !== undefined || t.seen.has('ddl') || t.seen.has('copy');
}

/**
 * Whether recover counts what the binlog holds of the run's unfinished tables: only after a run that
 * died or needed recovery (the applier stayed stopped since; a run that ended itself journaled its own
 * account, and the applier may have written into its tables since), and only at the first recover
 * (after it the applier may have run, and its row events would count as the run's). Pure.
 */
export function countsAfterKill(j: Pick<JournalState, 'flushEnd' | 'recoveredAt'>): boolean {
  const died = j.flushEnd === undefined || j.flushEnd === 'recovery-needed';
  return died && j.recoveredAt === undefined;
}

/**
 * Journal the account of every table of `tables` the run neither finished nor accounted for itself,
 * where it may have logged something; `at` is where the binlog stands with every table back.
 */
export async function accountUnfinished(
  db: Db,
  d: Dialect,
  j: JournalState,
  tables: JournalTable[],
  at: JournalPosition,
  writer: JournalWriter,
  log: Logger,
): Promise<void> {
  for (const t of tables) {
    const state = tableState(j, t.id);
    if (state.flushed || state.partial || !mayHaveLogged(j, t.id)) continue;
    const from = state.copyPlan?.binlog ?? j.binlog.start;
    const name = `${t.schema}.${t.table}`;
    if (!from) continue;
    try {
      const a = await accountOf(db, d, j, t, from, at);
      await writer.write({
        type: 'table-partial',
        id: t.id,
        at: now(),
        rows: a.rows,
        chunks: a.chunks,
        binlog: { start: from, end: at },
        ...(a.inDoubt ? { inDoubt: a.inDoubt } : {}),
      });
      log.info(
        `${name}: the binlog holds ${a.inDoubt ? 'at least ' : ''}${a.rows} of its rows from the run (${a.chunks} chunk(s)); the manifest says so`,
      );
    } catch (e) {
      log.warn(
        `${name}: what the binlog holds of it could not be counted (${errorText(e)}); the manifest gives what the journal acknowledged, as a floor`,
      );
    }
  }
}

async function accountOf(
  db: Db,
  d: Dialect,
  j: JournalState,
  t: JournalTable,
  from: JournalPosition,
  at: JournalPosition,
): Promise<Account> {
  const statements = await committedStatements(db, from, t.schema, t.table, ourEventsOfJournal(j.header), at);
  const c = journalChunks(j, t.id);
  if (!c) {
    // One lane, no chunk plan: one statement per acknowledged chunk, and its rows are journaled.
    const acked = tableState(j, t.id).chunk ?? { chunk: 0, rows: 0 };
    const extra = statements - acked.chunk;
    return { rows: acked.rows, chunks: acked.chunk, ...(extra > 0 && { inDoubt: extra }) };
  }
  const key = await liveKey(db, d, t, c);
  const outRows = new Map<number, number>();
  for (const chunk of c.out) outRows.set(chunk.seq, await chunkRowsOf(db, t.schema, t.table, key, chunk));
  const before = { rows: c.record.rowsBefore ?? 0, chunks: c.record.done?.length ?? 0 };
  try {
    const p = resumePoint(c, statements, outRows);
    return { rows: p.rowsBefore - before.rows, chunks: p.done.length - before.chunks };
  } catch {
    const acked = [...tableState(j, t.id).acked.values()];
    return { rows: acked.reduce((n, r) => n + r, 0), chunks: acked.length, inDoubt: c.out.length };
  }
}

/** The key the run cut the table's chunks on, as the table holds it now (carriers from its columns). */
async function liveKey(db: Db, d: Dialect, t: JournalTable, c: JournalChunks): Promise<CopyKey | undefined> {
  const k = c.record.key;
  if (!k) return undefined;
  const shape = shapeOf(
    await readShapes(db, d.version, { schema: t.schema, table: t.table }),
    t.schema,
    t.table,
  );
  const columns = shape?.columns ?? [];
  return withCarriers(withOrdinals({ index: k.index, columns: [...k.columns] }, columns), columns);
}
