/**
 * What `verify` decides, as a pure function of the events read between the run's coordinates and the
 * journal's manifest: per table, the rows under its real name equal the rows the journal says were
 * flushed, inside the table's own range, after its CREATE TABLE (when the run logged DDL); and no other
 * event is in the range (another table's rows, an update, a delete, any other statement).
 */
import type { JournalPosition } from '../journal/journal.js';
import type { Manifest } from '../journal/manifest.js';

/**
 * One event of the range, as the reader hands it over (file and end position of the event).
 * `replicated`: its transaction is another server's, applied into this binlog (not the run's own: see
 * inspect/our-events.ts); set only when the reader was told which events are the run's.
 */
export type RangeEvent = { file: string; position: number; replicated?: true } & (
  | { kind: 'query'; sql: string }
  | { kind: 'rows'; op: 'insert' | 'update' | 'delete'; schema: string; table: string; rows: number }
);

/** How a table's rows were compared with the table itself (verify.ts fills it in). */
export interface ValueVerdict {
  /** `value`: the binlog's rows were compared with the table's, row by row as a multiset. */
  by: 'value' | 'count';
  /** By count: why the values were not compared. */
  why?: string;
  /** By value: whether the table holds exactly the binlog's rows. */
  equal?: boolean;
  /** By value: the table's rows when it was read. */
  tableRows?: number;
  /** By value, not equal: the first rows that differ (key and columns, never a value). */
  differences?: string[];
}

export interface TableVerdict {
  schema: string;
  table: string;
  /** Rows the journal says were flushed. */
  expected: number;
  /** Rows found as INSERT row events under its name. */
  found: number;
  ddl: boolean;
  problems: string[];
  values?: ValueVerdict;
  /** The run put it back before every row was copied (the manifest's `partial`). */
  partial?: true;
  /** An earlier run (resumed by this one) wrote its CREATE TABLE and these rows (the manifest's `resumed`). */
  resumed?: { rowsBefore: number };
}

export interface Verdict {
  ok: boolean;
  tables: TableVerdict[];
  /** Events that are no flushed table's: each described once per kind and table, with a count. */
  foreign: Array<{ what: string; count: number; first: string }>;
  /** Events read: statements and row events. */
  events: number;
  /** Of them, row events, and the rows they hold (an event holds many rows). */
  rowEvents?: number;
  rows?: number;
}

/** 'N statements and M row events (R rows)': what a range held, counted apart. */
export function eventsText(v: Pick<Verdict, 'events' | 'rowEvents' | 'rows'>): string {
  if (v.rowEvents === undefined || v.rows === undefined) return `${v.events} statements and row events`;
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  return `${n(v.events - v.rowEvents, 'statement')} and ${n(v.rowEvents, 'row event')} (${n(v.rows, 'row')})`;
}

const key = (schema: string, table: string) => `${schema}\u0000${table}`;

/** Binlog coordinates in order: file names sort by their number, positions within a file. */
export function comparePositions(
  a: { file: string; position: number },
  b: { file: string; position: number },
): number {
  if (a.file !== b.file) {
    const n = (f: string) => Number(/\.(\d+)$/.exec(f)?.[1] ?? NaN);
    const [x, y] = [n(a.file), n(b.file)];
    if (!Number.isNaN(x) && !Number.isNaN(y) && x !== y) return x - y;
    return a.file < b.file ? -1 : 1;
  }
  return a.position - b.position;
}

const within = (e: { file: string; position: number }, start?: JournalPosition, end?: JournalPosition) =>
  (!start || comparePositions(e, start) > 0) && (!end || comparePositions(e, end) <= 0);

/** The CREATE TABLE the flush logs for a table (backquoted, as SHOW CREATE TABLE words it). */
export function createdTable(sql: string): { schema: string; table: string } | undefined {
  const m = /^CREATE TABLE `((?:[^`]|``)+)`\.`((?:[^`]|``)+)` \(/.exec(sql.trim());
  return m ? { schema: m[1]!.replaceAll('``', '`'), table: m[2]!.replaceAll('``', '`') } : undefined;
}

const TRANSACTION_WORDS = /^(BEGIN|COMMIT|XA (START|END|PREPARE|COMMIT))\b/i;

export function checkRange(m: Manifest, events: RangeEvent[], ddl: boolean): Verdict {
  const verdicts = new Map<
    string,
    TableVerdict & {
      startAt?: JournalPosition;
      endAt?: JournalPosition;
      firstRow?: number;
      ddlAt?: number;
      /** The journal's rows are a floor (chunks it could not account for may have committed). */
      atLeast: boolean;
    }
  >();
  for (const t of m.tables) {
    verdicts.set(key(t.schema, t.table), {
      schema: t.schema,
      table: t.table,
      expected: t.rows,
      found: 0,
      ddl: false,
      problems: [],
      startAt: t.start,
      endAt: t.end,
      ...(t.partial && { partial: true as const }),
      ...(t.resumed && { resumed: t.resumed }),
      atLeast: t.rowsAre === 'at-least' || t.rowsAre === 'journaled',
    });
  }
  const foreign = new Map<string, { what: string; count: number; first: string }>();
  const other = (what: string, e: RangeEvent) => {
    const f = foreign.get(what) ?? { what, count: 0, first: `${e.file}:${e.position}` };
    f.count++;
    foreign.set(what, f);
  };
  events.forEach((e, i) => {
    // Judged here is what the run wrote; a replicated transaction is the tables' own history.
    if (e.replicated) return;
    if (e.kind === 'query') {
      if (TRANSACTION_WORDS.test(e.sql.trim())) return;
      const c = ddl ? createdTable(e.sql) : undefined;
      const v = c && verdicts.get(key(c.schema, c.table));
      if (v && !v.ddl) {
        v.ddl = true;
        v.ddlAt = i;
        if (!within(e, v.startAt, v.endAt))
          v.problems.push(`its CREATE TABLE at ${e.file}:${e.position} is outside its range`);
        return;
      }
      other(`statement: ${e.sql.trim().replace(/\s+/g, ' ').slice(0, 80)}`, e);
      return;
    }
    const v = verdicts.get(key(e.schema, e.table));
    if (!v || e.op !== 'insert') {
      other(`${e.op} rows of ${e.schema}.${e.table}`, e);
      return;
    }
    v.found += e.rows;
    v.firstRow ??= i;
    if (!within(e, v.startAt, v.endAt))
      v.problems.push(`rows at ${e.file}:${e.position} are outside its range`);
  });
  const tables = [...verdicts.values()].map(({ startAt: _s, endAt: _e, firstRow, ddlAt, atLeast, ...v }) => {
    if (atLeast ? v.found < v.expected : v.found !== v.expected)
      v.problems.unshift(`${v.found} rows in the binlog, the journal says ${v.expected}`);
    // Resumed: its CREATE TABLE is in the range of the run that began it.
    if (ddl && !v.ddl && !v.resumed) v.problems.push('no CREATE TABLE');
    if (ddl && ddlAt !== undefined && firstRow !== undefined && firstRow < ddlAt)
      v.problems.push('rows before its CREATE TABLE');
    v.problems = [...new Set(v.problems)];
    return v;
  });
  return {
    ok: foreign.size === 0 && tables.every((t) => t.problems.length === 0),
    tables,
    foreign: [...foreign.values()],
    events: events.length,
    rowEvents: events.filter((e) => e.kind === 'rows').length,
    rows: events.reduce((a, e) => a + (e.kind === 'rows' ? e.rows : 0), 0),
  };
}
