/**
 * One overall status line every few seconds: tables done of total, rows done of the estimate, rate,
 * ETA, binlog bytes written so far. On a terminal the CLI redraws it in place; in the action it is
 * a log line, and the totals go to the summary.
 */
import type { PlannedTable } from '../plan/plan.js';
import { formatBytes, formatDuration, formatRate } from '../model/format.js';

export interface StatusTotals {
  tablesDone: number;
  tables: number;
  rows: number;
  rowsEstimate: number;
  /** Seconds from the start of the copy. */
  seconds: number;
  binlogBytes?: number;
  /** Milliseconds from the process start to the first chunk sent. */
  firstChunkMs?: number;
  /** What holds every chunk back now (the pause or the brake), and for how long. */
  held?: { reason: 'paused' | 'braked'; seconds: number };
}

const count = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);

/** The line itself (pure). */
export function statusLine(s: StatusTotals): string {
  const total = Math.max(s.rowsEstimate, s.rows);
  const pct = total > 0 ? Math.min(100, (100 * s.rows) / total) : 100;
  const rate = s.seconds > 0 ? s.rows / s.seconds : 0;
  const eta = rate > 0 ? (total - s.rows) / rate : NaN;
  const binlog = s.binlogBytes === undefined ? '' : `, binlog +${formatBytes(s.binlogBytes)}`;
  const when = s.held
    ? `${s.held.reason} for ${formatDuration(s.held.seconds)}`
    : `${formatRate(rate)}, ETA ${formatDuration(eta)}`;
  return `progress: tables ${s.tablesDone}/${s.tables}, rows ${count(s.rows)}/~${count(total)} (${pct.toFixed(0)}%), ${when}${binlog}`;
}

export interface StatusSink {
  /** A status line; `final` when the copy is over. */
  line(text: string, final: boolean): void;
}

export class StatusBoard {
  private rows = 0;
  private tablesDone = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private binlogBytes: number | undefined;
  private firstChunkAt: number | undefined;
  private readonly rowsEstimate: number;

  constructor(
    private readonly tables: PlannedTable[],
    private readonly sink: StatusSink,
    private readonly everyMs: number,
    private readonly readBinlogBytes: () => Promise<number>,
    /** Process start, for start-to-first-chunk (performance.timeOrigin). */
    private readonly processStart: number,
    /** Called with the totals at every status line (the measured-rate retention check). */
    private readonly onTick?: (t: StatusTotals) => void,
    /** What holds the copy back now, if anything (the operator's controls). */
    private readonly holding?: () => StatusTotals['held'],
  ) {
    this.rowsEstimate = tables.reduce((n, t) => n + t.rowsEstimate, 0);
  }

  start(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  /** A chunk is about to be sent (the first one marks start-to-first-chunk). */
  chunkSent(): void {
    this.firstChunkAt ??= Date.now();
  }

  advance(rows: number): void {
    this.rows += rows;
  }

  tableDone(): void {
    this.tablesDone += 1;
  }

  totals(): StatusTotals {
    return {
      tablesDone: this.tablesDone,
      tables: this.tables.length,
      rows: this.rows,
      rowsEstimate: this.rowsEstimate,
      seconds: (Date.now() - this.started) / 1000,
      binlogBytes: this.binlogBytes,
      firstChunkMs:
        this.firstChunkAt === undefined ? undefined : Math.round(this.firstChunkAt - this.processStart),
    };
  }

  /** Stop the line; one last line with the totals. */
  async stop(): Promise<StatusTotals> {
    if (this.timer) clearInterval(this.timer);
    await this.refreshBinlog();
    const t = this.totals();
    if (this.everyMs > 0) this.sink.line(statusLine(t), true);
    return t;
  }

  private async tick(): Promise<void> {
    await this.refreshBinlog();
    const held = this.holding?.();
    const t = { ...this.totals(), ...(held && { held }) };
    this.sink.line(statusLine(t), false);
    this.onTick?.(t);
  }

  private async refreshBinlog(): Promise<void> {
    try {
      this.binlogBytes = await this.readBinlogBytes();
    } catch {
      // the status line goes on without it
    }
  }
}
