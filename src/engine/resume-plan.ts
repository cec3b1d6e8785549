/**
 * `--resume`, table by table, before any change: a table the earlier run left part-copied continues
 * from the chunks it had not committed. The earlier journal gives the chunk plan and the chunks it
 * acknowledged; the binlog, between where the table's statements began and where that run (or the
 * recover after it) ended, decides the chunks that were out when it stopped. Read-only.
 */
import type { Db } from '../db/connection.js';
import type { PreflightFailure } from '../model/errors.js';
import { errorText } from '../model/errors.js';
import type { Logger } from '../model/log.js';
import { committedStatements } from '../inspect/binlog.js';
import { ourEventsOfJournal } from '../inspect/our-events.js';
import { chunkRowsOf } from '../inspect/copy-reads.js';
import { tableState, type JournalState } from '../journal/journal.js';
import { shapeHash, type PlannedTable } from '../plan/plan.js';
import { journalChunks, resumePoint } from '../plan/resume-chunks.js';

/**
 * Sets `resumed` on each planned table the earlier run (journal `earlier`, called `journal`) left
 * part-copied with a chunk plan; returns a failure per table whose chunks cannot be told exactly.
 */
export async function resumeTables(
  db: Db,
  plan: PlannedTable[],
  earlier: JournalState,
  journal: string,
  input: string,
  log: Logger,
): Promise<PreflightFailure[]> {
  const failures: PreflightFailure[] = [];
  // Where the earlier run's statements end: its own end when it ended with every session done; after a
  // run that needed recovery (or died), where recover found the binlog (a lost session's last chunk
  // may have committed after the run's end; the applier stayed stopped until recover was done).
  const settled = earlier.flushEnd !== undefined && earlier.flushEnd !== 'recovery-needed';
  const end = (settled ? earlier.binlog.end : undefined) ?? earlier.recoveredAt ?? earlier.binlog.end;
  for (const t of plan) {
    const before = earlier.tables.find((x) => x.schema === t.schema && x.table === t.table);
    if (!before || tableState(earlier, before.id).flushed) continue;
    const name = `${t.schema}.${t.table}`;
    const c = journalChunks(earlier, before.id);
    if (!c) {
      if (tableState(earlier, before.id).chunk?.rows)
        log.warn(
          `${name}: the run of ${journal} copied some of its rows on one lane, which is not resumed chunk by chunk; it is flushed whole again (those rows reach the binlog a second time)`,
        );
      continue;
    }
    const sameKey =
      c.record.key?.index === t.key?.index &&
      JSON.stringify(c.record.key?.columns) === JSON.stringify(t.key?.columns);
    if (c.record.columns !== shapeHash(t) || !sameKey) {
      log.warn(
        `${name}: its columns, collations, partitions or key changed since the run of ${journal}; it is flushed whole again, with its CREATE TABLE`,
      );
      continue;
    }
    if (!end) {
      failures.push({
        check: 'resume',
        message: `${name}: ${journal} does not say where its run ended in the binlog (it was not recovered by this version)`,
        fix: `run \`binlog-flusher recover\` with ${input} ${journal} first, then resume`,
      });
      continue;
    }
    try {
      const statements = await committedStatements(
        db,
        c.record.binlog,
        t.schema,
        t.table,
        ourEventsOfJournal(earlier.header),
        end,
      );
      const outRows = new Map<number, number>();
      for (const chunk of c.out)
        outRows.set(chunk.seq, await chunkRowsOf(db, t.schema, t.table, t.key, chunk));
      t.resumed = resumePoint(c, statements, outRows);
      log.info(
        `${name}: resumed at chunk level: ${t.resumed.done.length} chunk(s), ${t.resumed.rowsBefore} rows, are in the binlog from the run of ${journal}; the rest follow, without a second CREATE TABLE`,
      );
    } catch (e) {
      failures.push({
        check: 'resume',
        message: `${name}: where the run of ${journal} stopped in it cannot be told exactly: ${errorText(e)}`,
        fix: `flush it whole again in a new run (without ${input}; the rows the earlier run wrote then reach the binlog twice)`,
      });
    }
  }
  return failures;
}
