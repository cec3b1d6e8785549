/**
 * The replica's lag behind its source, for a flush in windows (issue 27): the server's own figure
 * (the replica status's Seconds_Behind_Source / Seconds_Behind_Master, whichever the flavour names)
 * or the user's lag query (one number of seconds, such as a heartbeat table's). Read-only.
 *
 * Fail closed: a lag that is not known (the status's NULL: applier or receiver not running, or not
 * connected) is never read as caught up; a lag query that fails, or answers anything but one number,
 * is an error that names the input. What to do with either is the window decider's (engine/windows.ts).
 */
import type { Db, Row } from '../db/connection.js';
import { errorText } from '../model/errors.js';
import type { Dialect } from '../flavours/index.js';

export type LagReading =
  | { kind: 'seconds'; seconds: number }
  /** The server does not know (its figure is NULL); `why` says where. */
  | { kind: 'unknown'; why: string }
  /** The lag query failed or answered something that is not one number of seconds. */
  | { kind: 'error'; message: string };

/** Where the lag comes from: the replica status, or the user's query (and what the user calls it). */
export type LagSource = { kind: 'status' } | { kind: 'query'; sql: string; input: string };

/** A negative figure down to this is clock jitter (a heartbeat's fractions of a second), read as 0. */
const JITTER_S = 1;

/**
 * The lag from the replica status rows (one per channel or connection): the largest of them; a NULL
 * on any channel makes it unknown (that channel's applier may be any distance behind). No row: not
 * a replica, unknown.
 */
export function lagOfStatus(rows: readonly Row[], column: string): LagReading {
  if (rows.length === 0) return { kind: 'unknown', why: 'the server shows no replica status' };
  let most = 0;
  const nulls: number[] = [];
  rows.forEach((r, i) => {
    const v = r[column];
    const n = v === null || v === undefined || v === '' ? NaN : Number(v);
    if (!Number.isFinite(n) || n < 0) nulls.push(i);
    else most = Math.max(most, n);
  });
  if (nulls.length)
    return {
      kind: 'unknown',
      why:
        rows.length === 1
          ? `${column} is NULL (the applier or the receiver is not running, or not connected)`
          : `${column} is NULL on ${nulls.length} of ${rows.length} replication channels`,
    };
  return { kind: 'seconds', seconds: most };
}

/**
 * The lag from the lag query's result: exactly one row of exactly one value, a number of seconds
 * (an integer or a decimal, as a number or as text); anything else is an error naming the input.
 */
export function lagOfQuery(rows: readonly Row[], input: string): LagReading {
  const error = (what: string): LagReading => ({
    kind: 'error',
    message: `${input}: ${what}; it must answer one row with one number, the lag in seconds`,
  });
  if (rows.length !== 1) return error(`answered ${rows.length} rows`);
  const values = Object.values(rows[0]!);
  if (values.length !== 1) return error(`answered ${values.length} columns`);
  const v = values[0];
  if (v === null || v === undefined) return error('answered NULL');
  const text = typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? String(v) : v;
  if (typeof text !== 'string' || !/^\s*-?\d+(\.\d+)?(e[+-]?\d+)?\s*$/i.test(text))
    return error(`answered ${JSON.stringify(typeof v === 'string' ? v : String(v))}, not a number`);
  const n = Number(text);
  if (!Number.isFinite(n)) return error(`answered ${text}, not a finite number`);
  if (n < -JITTER_S)
    return error(`answered ${n}: a lag below zero (the source's clock and this server's disagree)`);
  return { kind: 'seconds', seconds: Math.max(0, n) };
}

/** Read the lag now; never throws (a failed read is an error reading). */
export async function readLag(db: Db, d: Dialect, source: LagSource): Promise<LagReading> {
  if (source.kind === 'query') {
    try {
      return lagOfQuery(await db.rows(source.sql), source.input);
    } catch (e) {
      return { kind: 'error', message: `${source.input}: the lag query failed: ${errorText(e)}` };
    }
  }
  try {
    return lagOfStatus(await db.rows(d.allReplicasStatus), d.replicaCols.secondsBehind);
  } catch (e) {
    return { kind: 'error', message: `cannot read the replica status: ${errorText(e)}` };
  }
}
