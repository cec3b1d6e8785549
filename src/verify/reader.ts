/**
 * Reads a server's binlog between two coordinates over the replication protocol, as a replica would,
 * with @vlasky/zongji (a maintained binlog client on mysql2). Hands over statements and row events,
 * each with the coordinates after it, and (to a sink) the rows of INSERT events as the reader decodes
 * them: temporal values as text (TIMESTAMP in UTC), JSON as text.
 */
import ZongJi from '@vlasky/zongji';
import './zongji-vector.js';
import { randomInt } from 'node:crypto';
import { connectionOptions } from '../db/connection.js';
import { FlusherError, ExitCode, errorText } from '../model/errors.js';
import type { ConnectionSettings } from '../model/settings.js';
import { comparePositions, type RangeEvent } from './check.js';
import { inOurPlacement, type OurEvents } from '../inspect/our-events.js';

interface Coordinates {
  file: string;
  position: number;
}

/** A column as the reader will decode it (its character set: null for bytes). */
export interface ReaderColumn {
  name: string;
  charset: string | null;
}

/** A zongji event, as far as we read it (its typings name each class; we need few fields). */
interface AnyEvent {
  getEventName(): string;
  nextPosition: number;
  binlogName?: string;
  query?: string;
  tableId?: number;
  tableMap?: Record<number, { parentSchema: string; tableName: string; columns?: ReaderColumn[] }>;
  rows?: unknown[];
  /** A GTID event's GTID (MySQL `uuid[:tag]:n`, MariaDB `domain-server-seq`). */
  gtid?: string;
}

/** The events that open a transaction with its GTID, as the reader names them. */
const GTID_EVENTS = new Set(['gtid', 'mariadbgtid', 'anonymousgtid']);

const ROW_OPS: Record<string, 'insert' | 'update' | 'delete'> = {
  writerows: 'insert',
  updaterows: 'update',
  deleterows: 'delete',
};

/** Where the rows of INSERT events go. */
export interface RowSink {
  /**
   * The rows of one INSERT event under `schema`.`table`. `pending`: the event has no position of its
   * own (MariaDB 11.4+ inside a transaction); whether it is inside the range is known at its commit.
   */
  rows(
    schema: string,
    table: string,
    rows: Record<string, unknown>[],
    pending: boolean,
    columns: ReaderColumn[] | undefined,
  ): void;
  /** The pending rows' transaction ended inside the range (`keep`) or after it. */
  settle(keep: boolean): void;
}

export interface ReadOptions {
  /** Seconds without a binlog event before the read counts as stuck. */
  idleS?: number;
  sink?: RowSink;
  /** Decode only these tables' row events (others are skipped unread). */
  only?: { schema: string; table: string }[];
  /**
   * The character set of each character column of a table, as the server defines it. With
   * binlog_row_metadata=FULL the reader takes a column's character set from the collation id in the
   * binlog, and takes an id it does not know (MariaDB's uca1400 and unicode collations, among others)
   * for utf8mb4: a utf16, utf32, ucs2 or latin1 column would be decoded as UTF-8. Given here, the
   * reader decodes such a column in its own character set.
   */
  charsets?: (schema: string, table: string) => Map<string, string> | undefined;
  /**
   * Which events are the run's own: given, each event of a transaction another server wrote is
   * marked `replicated` and its rows are not handed to the sink.
   */
  ours?: OurEvents;
}

type Name = { schema: string; table: string };
const bySchema = (names: Name[]): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const n of names) (out[n.schema] ??= []).push(n.table);
  return out;
};

/** What `checkRange` needs of one event, at the coordinates after it (undefined: not looked at). */
function rangeEvent(e: AnyEvent, at: Coordinates): RangeEvent | undefined {
  const name = e.getEventName();
  if (name === 'query') return { ...at, kind: 'query', sql: e.query ?? '' };
  const op = ROW_OPS[name];
  if (!op) return undefined;
  const t = e.tableMap?.[e.tableId!];
  return {
    ...at,
    kind: 'rows',
    op,
    schema: t?.parentSchema ?? '?',
    table: t?.tableName ?? '?',
    rows: e.rows?.length ?? 0,
  };
}

/**
 * Every statement and row event after `start` up to and including the one ending at `end`, handed to
 * `onEvent` in order. Fails when nothing arrives for `idleS` seconds (the range is not on this server,
 * or the binlog was purged).
 */
export async function readEvents(
  c: ConnectionSettings,
  start: Coordinates,
  end: Coordinates,
  onEvent: (e: RangeEvent) => void,
  opts: ReadOptions = {},
): Promise<void> {
  if (comparePositions(start, end) >= 0) return;
  const idleS = opts.idleS ?? 30;
  const z = new ZongJi({
    ...connectionOptions(c),
    multipleStatements: false,
    timezone: 'Z',
    jsonStrings: true,
  });
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (e?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      z.stop();
      if (e) reject(e);
      else resolve();
    };
    const reader = rangeReader(start, end, onEvent, opts, finish);
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () =>
          finish(
            new FlusherError(
              `verify: no binlog event for ${idleS}s before ${end.file}:${end.position} (read up to ${reader.file()}); is this the server that ran the flush, and is its binlog still there?`,
              ExitCode.verifyFailed,
            ),
          ),
        idleS * 1000,
      );
    };
    z.on('error', (e: unknown) =>
      finish(new FlusherError(`verify: reading the binlog failed: ${errorText(e)}`, ExitCode.verifyFailed)),
    );
    z.on('binlog', (raw: unknown) => {
      armIdle();
      reader.see(raw as AnyEvent);
    });
    armIdle();
    z.start({
      filename: start.file,
      position: start.position,
      // A replica's server id of its own: one no real replica uses (a duplicate would disconnect it).
      serverId: randomInt(2_000_000_000, 4_000_000_000),
      includeEvents: [
        'rotate',
        'query',
        'tablemap',
        'writerows',
        'updaterows',
        'deleterows',
        'xid',
        ...(opts.ours ? [...GTID_EVENTS] : []),
      ],
      ...(opts.only ? { includeSchema: bySchema(opts.only) } : {}),
    });
  });
}

/** One read's way through the events: which file it is in, and what waits for its commit. */
function rangeReader(
  start: Coordinates,
  end: Coordinates,
  onEvent: (e: RangeEvent) => void,
  opts: ReadOptions,
  finish: () => void,
): { file(): string; see(e: AnyEvent): void } {
  let file = start.file;
  // MariaDB 11.4+ (binlog_legacy_event_pos=OFF, the default) sends the events inside a transaction
  // with no position of their own: only its commit has one. They are held (without their rows, which
  // went to the sink as pending) until it comes and take its position.
  let held: RangeEvent[] = [];
  // Whether the transaction being read is another server's (known only when told which are ours).
  let replicated = false;
  const mark = (r: RangeEvent | undefined): RangeEvent | undefined =>
    r && replicated ? { ...r, replicated: true } : r;
  const sink = (): RowSink | undefined => (replicated ? undefined : opts.sink);
  const see = (e: AnyEvent): void => {
    const name = e.getEventName();
    if (name === 'rotate') {
      file = e.binlogName ?? file;
      return;
    }
    // MySQL's anonymous transactions carry no GTID to tell whose they are: the run's, as today.
    if (opts.ours && GTID_EVENTS.has(name))
      replicated = name !== 'anonymousgtid' && !inOurPlacement(e.gtid, opts.ours);
    if (name === 'tablemap') return correctCharsets(e, opts.charsets);
    if (!e.nextPosition) {
      // Artificial events (the first rotate, the format event) and positionless ones in a transaction.
      if (name !== 'query' && !ROW_OPS[name]) return;
      toSink(e, sink(), true);
      const later = mark(rangeEvent(e, { file: '', position: 0 }));
      if (later) held.push(later);
      return;
    }
    const at = { file, position: e.nextPosition };
    if (comparePositions(at, end) > 0) {
      opts.sink?.settle(false);
      return finish();
    }
    toSink(e, sink(), false);
    opts.sink?.settle(true);
    for (const x of held) onEvent({ ...x, ...at });
    const event = mark(rangeEvent(e, at));
    if (event) onEvent(event);
    held = [];
    if (comparePositions(at, end) >= 0) finish();
  };
  return { file: () => file, see };
}

/** Hands an INSERT event's rows to the sink. */
function toSink(e: AnyEvent, sink: RowSink | undefined, pending: boolean): void {
  if (!sink || e.getEventName() !== 'writerows' || !e.rows) return;
  const t = e.tableMap?.[e.tableId!];
  if (t) sink.rows(t.parentSchema, t.tableName, e.rows as Record<string, unknown>[], pending, t.columns);
}

/**
 * A table map has just been read (its row events follow): where the reader's idea of a character
 * column's character set differs from the server's, the server's is what it decodes with.
 */
function correctCharsets(e: AnyEvent, charsets: ReadOptions['charsets']): void {
  const t = e.tableMap?.[e.tableId!];
  const want = t && charsets?.(t.parentSchema, t.tableName);
  if (!want || !t.columns) return;
  for (const c of t.columns) {
    const cs = want.get(c.name);
    if (cs !== undefined && c.charset !== null && c.charset !== cs) c.charset = cs;
  }
}

/** Every statement and row event of the range, in order. */
export async function readRange(
  c: ConnectionSettings,
  start: Coordinates,
  end: Coordinates,
  idleS = 30,
  opts: Omit<ReadOptions, 'idleS'> = {},
): Promise<RangeEvent[]> {
  const events: RangeEvent[] = [];
  await readEvents(c, start, end, (e) => events.push(e), { ...opts, idleS });
  return events;
}
