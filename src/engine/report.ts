/**
 * What a run did, as data (the --json result, the action's outputs and summary) and as text.
 */
import type { ExitCode } from '../model/errors.js';
import type { BinlogPosition } from '../inspect/binlog.js';
import type { Skipped } from '../plan/plan.js';
import { describeEstimate, type RunEstimate } from '../plan/estimate.js';
import type { GtidReport } from '../plan/gtid.js';
import type { ConnectionSettings } from '../model/settings.js';
import { describeSetting, type SettingReport } from './server-settings.js';
import { formatBytes, formatSeconds } from '../model/format.js';
import type { StatusTotals } from './status.js';

export type TableStatus = 'planned' | 'flushed' | 'restored' | 'needs-recovery' | 'not-started' | 'cancelled';

export interface TableReport {
  schema: string;
  table: string;
  status: TableStatus;
  rows: number;
  chunks: number;
  seconds: number;
  rowsEstimate: number;
  bytesEstimate: number;
  chunking: string;
  error?: string;
  /** Where its events are: read before its first logged statement and after its last. */
  binlog?: { start: BinlogPosition; end: BinlogPosition };
  /**
   * Put back before every row was copied, though the binlog holds its DDL and `rows` of its rows
   * (`inDoubt`: chunks the binlog could not decide, so at least `rows`).
   */
  partial?: { inDoubt?: number };
  /**
   * `--resume` went on from where an earlier run stopped in it: these chunks and rows are in the
   * binlog from that run (with its CREATE TABLE); `rows` and `chunks` are this run's.
   */
  resumed?: { chunksBefore: number; rowsBefore: number };
}

export interface ReplicaReport {
  wasReplica: boolean;
  stopped: boolean;
  started: boolean;
  /** The statement that starts the applier on this server (said when the run leaves it stopped). */
  startWith?: string;
}

/** What the result says of the applier: ', left stopped (start it with START REPLICA ...)'. */
export function applierLine(r: ReplicaReport): string {
  if (r.started) return `${r.stopped ? 'stopped' : 'not stopped by us'}, started again`;
  if (!r.stopped) return 'not stopped by us';
  return `stopped, left stopped${r.startWith ? ` (start it with ${r.startWith} once you are ready)` : ''}`;
}

export interface RunReport {
  status: 'planned' | 'flushed' | 'failed-restored' | 'recovery-needed' | 'nothing-to-flush';
  /**
   * `nothing-to-flush`: a resume of a run that had finished every table it selected. Why, the
   * journal resumed (no journal of its own is written), and the applier as the run left it.
   */
  nothing?: {
    reason: string;
    resumed: string;
    applier: 'running' | 'stopped' | 'started' | 'not-a-replica' | 'unknown';
  };
  exitCode: ExitCode;
  host: string;
  port: number;
  serverId: number;
  serverVersion: string;
  startedAt: string;
  finishedAt: string;
  hashfile?: string;
  tables: TableReport[];
  skipped: Skipped[];
  warnings: string[];
  replica: ReplicaReport;
  /** Binlog coordinates before the first flushed event and after the last. */
  binlog?: { start: BinlogPosition; end?: BinlogPosition };
  /** What the applier had applied from its source when it was stopped. */
  sourceApplied?: { file: string; position: number; gtid: string };
  /** The GTIDs the flush wrote on this replica, where they went, and what keeps other servers from applying them. */
  gtid?: GtidReport;
  /** Binlog volume and duration expected before the run (the plan, the dry run, the summary). */
  estimate?: RunEstimate;
  /** The manifest file written next to the journal. */
  manifest?: string;
  cancelled?: boolean;
  /** What ended the run early besides a cancel: the control channel's abort, the critical load. */
  stopReason?: string;
  /** Twins of flushed tables that could not be dropped at the end (recover drops them). */
  parkedTwinsLeft?: number;
  recoverCommand?: string;
  /** Server settings the run changed, and whether they are back. */
  settings?: SettingReport[];
  /** The copy as a whole: totals of the status line, workers, time held by the operator's controls. */
  copy?: StatusTotals & {
    workers: number;
    /** Per reason, summed over the workers that waited. */
    waitedMs: { pause: number; brake: number; cap: number };
    /** Wall clock during which at least one worker was held by the pause, the brake or the cap. */
    heldMs?: number;
  };
}

export function defaultHashfile(host: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const safeHost = host.replace(/[^A-Za-z0-9._-]/g, '_');
  return `binlog-flusher-${safeHost}-${stamp}.hashfile`;
}

function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:=@,-]+$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`;
}

/** The exact command that puts everything back (no secret: the password comes from mycnf/env). */
export function recoverCommand(
  s: { connection: ConnectionSettings },
  hashfile: string,
  mycnf?: string,
): string {
  const c = s.connection;
  const parts = ['binlog-flusher', 'recover'];
  if (c.socket) parts.push('--socket', shellQuote(c.socket));
  else parts.push('--host', shellQuote(c.host), '--port', String(c.port));
  if (mycnf) parts.push('--mycnf', shellQuote(mycnf));
  parts.push('--hashfile', shellQuote(hashfile));
  return parts.join(' ');
}

export function totals(r: RunReport): { tables: number; rows: number } {
  const done = r.tables.filter((t) => t.status === 'flushed');
  return { tables: done.length, rows: done.reduce((a, t) => a + t.rows, 0) };
}

/** Tables put back part-copied, and the rows of theirs the binlog holds. */
export function partialTotals(r: RunReport): { tables: number; rows: number } {
  const part = r.tables.filter((t) => t.partial);
  return { tables: part.length, rows: part.reduce((a, t) => a + t.rows, 0) };
}

/** A part-copied table's account, as the result and the job summary say it. */
export function partialText(t: TableReport): string {
  if (!t.partial) return '';
  const rows = `${t.partial.inDoubt ? 'at least ' : ''}${t.rows} row${t.rows === 1 ? '' : 's'}`;
  return `partial: its DDL and ${rows} are in the binlog`;
}

const pos = (p?: BinlogPosition) => (p ? `${p.file}:${p.position}${p.gtid ? ` (GTID ${p.gtid})` : ''}` : '-');

export function formatReport(r: RunReport): string {
  if (r.nothing) return formatNothing(r, r.nothing);
  const lines: string[] = [];
  if (r.status === 'planned') {
    lines.push(`Plan for ${r.host}:${r.port} (${r.serverVersion}), nothing was changed:`);
    for (const t of r.tables) {
      lines.push(
        `  ${t.schema}.${t.table}: ~${t.rowsEstimate} rows, ~${(t.bytesEstimate / 1048576).toFixed(1)} MiB, ${t.chunking}`,
      );
    }
    if (r.estimate) lines.push(`Binlog estimate: ${describeEstimate(r.estimate)}`);
  } else {
    const tot = totals(r);
    const part = partialTotals(r);
    const partial = part.tables ? `; partial: ${part.tables} tables, ${part.rows} rows in the binlog` : '';
    lines.push(
      `Result: ${r.status} (${tot.tables} of ${r.tables.length} tables, ${tot.rows} rows${partial})`,
    );
    for (const t of r.tables) {
      lines.push(
        `  ${t.schema}.${t.table}: ${t.status}${t.status === 'flushed' ? `, ${t.rows} rows, ${formatSeconds(t.seconds)}` : ''}${t.partial ? `, ${partialText(t)}` : ''}${t.error ? ` (${t.error})` : ''}`,
      );
    }
    if (r.stopReason) lines.push(`Stopped: ${r.stopReason}`);
    if (r.copy) lines.push(copyLine(r.copy));
    if (r.binlog) {
      lines.push(`Binlog start: ${pos(r.binlog.start)}`);
      lines.push(`Binlog end:   ${pos(r.binlog.end)}`);
    }
    if (r.sourceApplied) {
      lines.push(
        `Source applied at stop: ${r.sourceApplied.file}:${r.sourceApplied.position}${r.sourceApplied.gtid ? ` (GTID ${r.sourceApplied.gtid})` : ''}`,
      );
    }
    if (r.estimate) lines.push(`Binlog estimate was: ${describeEstimate(r.estimate)}`);
    lines.push(...gtidLines(r.gtid));
    if (r.manifest) lines.push(`Manifest: ${r.manifest}`);
    lines.push(`Replica applier: ${applierLine(r.replica)}`);
    for (const st of r.settings ?? []) lines.push(`Server setting ${describeSetting(st)}`);
    if (r.hashfile) lines.push(`Journal: ${r.hashfile}`);
  }
  for (const k of r.skipped) lines.push(`  skipped ${k.schema}.${k.table}: ${k.reason}`);
  if (r.recoverCommand) {
    lines.push('Some tables are not back in place. Put them back with:');
    lines.push(`  ${r.recoverCommand}`);
  }
  return lines.join('\n');
}

const APPLIER: Record<NonNullable<RunReport['nothing']>['applier'], string> = {
  running: 'running, not touched',
  stopped: 'stopped, left stopped',
  started: 'was stopped, started',
  'not-a-replica': 'none (not a replica)',
  unknown: 'unknown (the replica status could not be read), not touched',
};

function formatNothing(r: RunReport, n: NonNullable<RunReport['nothing']>): string {
  return [
    `Result: nothing to flush (${r.skipped.length} tables already flushed)`,
    `  ${n.reason}`,
    ...r.warnings.map((w) => `  warning: ${w}`),
    `Replica applier: ${APPLIER[n.applier]}${n.applier === 'stopped' ? ` (resume with --start-slave starts it, or run ${r.replica.startWith ?? 'the statement that starts it'})` : ''}`,
    `Journal resumed: ${n.resumed}`,
  ].join('\n');
}

/** What the flush wrote in GTID terms and the statements that keep other servers from applying it. */
export function gtidLines(g: GtidReport | undefined): string[] {
  if (!g || !g.written) return [];
  const out = [`GTIDs written by the flush on this replica: ${g.written} (${g.placement})`];
  if (g.steps.length) out.push('Before another server replicates from this one:');
  for (const st of g.steps) out.push(`  ${st.where}:`, `    ${st.sql}`);
  return out;
}

/** What held the copy back, in the inputs' words (pause, max-load, max-rows-per-second). */
function heldBy(w: { pause: number; brake: number; cap: number }): string {
  const by = [w.pause && 'the pause', w.brake && 'the load brake', w.cap && 'the rate cap'].filter(Boolean);
  return by.join(', ') || 'the controls';
}

/** The copy's totals on one line (the result and the job summary). */
export function copyLine(c: NonNullable<RunReport['copy']>): string {
  const rate = c.seconds > 0 ? Math.round(c.rows / c.seconds) : 0;
  // Wall clock, not the workers' waits added up (four workers held 5 s each are 5 s of the copy).
  const held = c.heldMs ?? 0;
  return (
    `Copy: ${c.rows} rows in ${c.seconds.toFixed(2)}s (${rate} rows/s) on ${c.workers} worker${c.workers === 1 ? '' : 's'}` +
    (c.binlogBytes === undefined ? '' : `, binlog +${formatBytes(c.binlogBytes)}`) +
    (c.firstChunkMs === undefined
      ? ''
      : `, first chunk sent ${c.firstChunkMs} ms after the process started`) +
    (held >= 50 ? `, held back ${(held / 1000).toFixed(1)}s of it by ${heldBy(c.waitedMs)}` : '')
  );
}
