/**
 * The plan's row and size figures, made fresh. The server's statistics lag behind a bulk load: InnoDB
 * keeps its row count as rows come, but its data length only when it recomputes the statistics (in
 * the background, once a tenth of a table changed), and MySQL caches both in information_schema for
 * up to a day (the session turns that off). So right after loading 300,000 rows a table could be
 * estimated at a few KiB of binlog. Where it is cheap, the rows are counted (smallest tables first,
 * each count stopped by the server after PER_COUNT_MS, all of them within COUNT_BUDGET_MS); every
 * table's row length is measured on a sample of rows: a row image is about its values' bytes (a
 * page-based data length also counts the pages' free space).
 */
import type { Db } from '../db/connection.js';
import { averageRowLength, countRows } from '../inspect/tables.js';
import type { Flavour } from '../model/version.js';
import { chunkRowsFor, type PlannedTable } from './plan.js';

export const PER_COUNT_MS = 2000;
export const COUNT_BUDGET_MS = 6000;
/**
 * Above this many rows by the statistics, a count is not cheap (a 4,000,000-row table with a UUID key
 * took the whole PER_COUNT_MS, half as long as copying it, and gave nothing back): InnoDB's row count
 * stands, and only the row length is measured, on a sample.
 */
export const COUNT_ROWS_UP_TO = 1_000_000;

/** Which figures the plan rests on. */
export interface FiguresBasis {
  counted: number;
  tables: number;
}

export function describeBasis(b: FiguresBasis): string {
  if (b.tables === 0) return '';
  if (b.counted === b.tables)
    return `rows counted for ${b.tables === 1 ? 'the table' : `all ${b.tables} tables`}`;
  if (b.counted === 0) return "rows from the server's statistics";
  return `rows counted for ${b.counted} of ${b.tables} tables, the server's statistics for the others`;
}

/**
 * A table's figures once counted: the rows, and the bytes at the sampled row length (its values'
 * bytes, plus one per column for lengths and the null bitmap), else at the statistics' length.
 */
export function countedFigures(
  t: { rowsEstimate: number; bytesEstimate: number },
  rows: number,
  sample: { length: number; columns: number } | undefined,
): { rowsEstimate: number; bytesEstimate: number } {
  const perRow = sample
    ? sample.length + sample.columns
    : t.rowsEstimate > 0
      ? t.bytesEstimate / t.rowsEstimate
      : 0;
  return { rowsEstimate: rows, bytesEstimate: Math.round(perRow * rows) };
}

/** Count the rows where it is cheap; the plan's figures are updated in place. */
export async function freshFigures(
  db: Db,
  flavour: Flavour,
  plan: PlannedTable[],
  chunk: { rows: number; bytes: number },
): Promise<FiguresBasis> {
  const basis: FiguresBasis = { counted: 0, tables: plan.length };
  const deadline = Date.now() + COUNT_BUDGET_MS;
  const cheap = plan
    .filter((t) => t.rowsEstimate <= COUNT_ROWS_UP_TO)
    .sort((a, b) => a.rowsEstimate - b.rowsEstimate || a.id - b.id);
  for (const t of cheap) {
    const left = deadline - Date.now();
    if (left < 100) break;
    const rows = await countRows(db, flavour, t.schema, t.table, Math.min(PER_COUNT_MS, left));
    if (rows === undefined) continue;
    basis.counted += 1;
    const columns = t.columns.map((c) => c.name);
    const length = rows > 0 ? await averageRowLength(db, t.schema, t.table, columns) : undefined;
    const hadNone = t.rowsEstimate === 0;
    Object.assign(
      t,
      countedFigures(t, rows, length === undefined ? undefined : { length, columns: columns.length }),
    );
    if (hadNone && length) t.chunkRows = chunkRowsFor(chunk.rows, length, chunk.bytes);
  }
  for (const t of plan.filter((x) => x.rowsEstimate > COUNT_ROWS_UP_TO)) {
    const columns = t.columns.map((c) => c.name);
    const length = await averageRowLength(db, t.schema, t.table, columns);
    if (length > 0) t.bytesEstimate = Math.round((length + columns.length) * t.rowsEstimate);
  }
  return basis;
}
