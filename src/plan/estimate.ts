/**
 * How much binlog a run will write and for how long, and whether the server keeps it long enough for
 * a reader to get there. Pure: from the table estimates, the settings and the server's retention.
 */
import type { BinlogRetention } from '../inspect/binlog.js';
import { formatBytes } from '../model/format.js';
import { flavourFacts, type Flavour } from '../flavours/index.js';

/**
 * Per binlog transaction, bytes of events around its rows. Read off one chunk on MariaDB 10.11: GTID 42,
 * Table_map 48, the rows event's header about 20, COMMIT 69, about 180 in all; rounded up to allow
 * for long names and MySQL's larger GTID events. Not measured on MySQL.
 */
const PER_CHUNK_BYTES = 300;

export interface RunEstimate {
  /** Binlog bytes the run writes: the tables' data length (row images are about that size) plus events. */
  binlogBytes: number;
  rows: number;
  /** Seconds, at the assumed rate (or the rate cap, when lower). */
  seconds: number;
  rowsPerSecond: number;
  /** What the rows rest on (counted, or the server's statistics), as the estimate says it. */
  basis?: string;
}

export function estimateRun(
  tables: Array<{ rowsEstimate: number; bytesEstimate: number; chunkRows: number }>,
  rowsPerSecond: number,
): RunEstimate {
  let bytes = 0;
  let rows = 0;
  for (const t of tables) {
    const chunks = Math.max(1, Math.ceil(t.rowsEstimate / Math.max(1, t.chunkRows)));
    bytes += t.bytesEstimate + chunks * PER_CHUNK_BYTES;
    rows += t.rowsEstimate;
  }
  return { binlogBytes: bytes, rows, seconds: Math.ceil(rows / rowsPerSecond), rowsPerSecond };
}

const hours = (s: number) => `${(s / 3600).toFixed(1)} h`;

/**
 * Warnings about binlog retention: the files the run writes are purged `expireSeconds` after they
 * were written, so a reader has expiry minus the run's duration after its end. Below the margin, or
 * with a size limit the run's volume comes near, the consumer may never read the flush.
 */
export function retentionWarnings(
  r: BinlogRetention,
  e: RunEstimate,
  marginHours: number,
  flavour: Flavour,
  /** Where the duration comes from, as the warning words it. */
  basis = 'the run is estimated at',
  /** What the user calls the margin's input. */
  input = '--retention-margin',
): string[] {
  const out: string[] = [];
  const raise = flavourFacts(flavour).retentionFix;
  if (r.expireSeconds > 0 && r.autoPurge) {
    const left = r.expireSeconds - e.seconds;
    if (left < marginHours * 3600) {
      out.push(
        `binlog retention: files are purged ${hours(r.expireSeconds)} after they are written (${r.source}); ` +
          `${basis} ${hours(e.seconds)}, so a reader has ${left > 0 ? hours(left) : 'no time'} after its end ` +
          `to read the first tables, ${hours(marginHours * 3600 - left)} short of the ${marginHours} h margin. ` +
          `Raise it for the backfill: ${raise}, or pass a smaller ${input} once the reader is known to keep up`,
      );
    }
  }
  if (r.totalSizeLimit > 0 && e.binlogBytes > r.totalSizeLimit / 2) {
    out.push(
      `binlog retention: the run writes about ${formatBytes(e.binlogBytes)} of binlog, and the server purges the oldest files past ` +
        `${formatBytes(r.totalSizeLimit)} in all (max_binlog_total_size): the first tables may be gone before a reader gets to them. ` +
        'Raise max_binlog_total_size, or flush fewer tables per run',
    );
  }
  return out;
}

export function describeEstimate(e: RunEstimate): string {
  return `about ${formatBytes(e.binlogBytes)} of binlog for ~${e.rows} rows${e.basis ? ` (${e.basis})` : ''}, ~${e.seconds < 120 ? `${e.seconds} s` : hours(e.seconds)} at ${e.rowsPerSecond} rows/s (assumed)`;
}

/** Seconds of copying before the measured rate is trusted for a new end estimate. */
export const MEASURED_AFTER_S = 30;

/**
 * The retention check again, at the rate measured so far: a run slower than assumed (a busy replica,
 * the load brake, the pause file) may end later than preflight said. Undefined until the rate can be
 * trusted, or while the margin holds.
 */
export function measuredRetentionWarning(
  r: BinlogRetention,
  done: { rows: number; rowsEstimate: number; seconds: number },
  marginHours: number,
  flavour: Flavour,
  input = '--retention-margin',
): string | undefined {
  if (done.seconds < MEASURED_AFTER_S || done.rows <= 0) return undefined;
  const rate = done.rows / done.seconds;
  const left = Math.max(0, done.rowsEstimate - done.rows) / rate;
  const e: RunEstimate = {
    binlogBytes: 0,
    rows: done.rowsEstimate,
    seconds: Math.ceil(done.seconds + left),
    rowsPerSecond: Math.round(rate),
  };
  const basis = `at the measured ${e.rowsPerSecond} rows/s the run takes`;
  return retentionWarnings({ ...r, totalSizeLimit: 0 }, e, marginHours, flavour, basis, input)[0];
}
