/**
 * Progress per table: rows done of the estimate, rate, ETA; printed at most every few seconds.
 */
import type { Logger } from '../log.js';
import type { PlannedTable } from '../plan/plan.js';

export interface Progress {
  start(t: PlannedTable): void;
  advance(t: PlannedTable, rows: number): void;
}

export function formatRate(rowsPerSecond: number): string {
  if (rowsPerSecond >= 1e6) return `${(rowsPerSecond / 1e6).toFixed(1)}M rows/s`;
  if (rowsPerSecond >= 1e3) return `${(rowsPerSecond / 1e3).toFixed(1)}k rows/s`;
  return `${Math.round(rowsPerSecond)} rows/s`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.ceil(seconds - m * 60)).padStart(2, '0')}s`;
}

export function progressLine(name: string, done: number, estimate: number, elapsed: number): string {
  const rate = elapsed > 0 ? done / elapsed : 0;
  const total = Math.max(estimate, done);
  const pct = total > 0 ? Math.min(100, (100 * done) / total) : 100;
  const eta = rate > 0 ? (total - done) / rate : NaN;
  return `${name}: ${pct.toFixed(0)}% (${done}/~${total} rows), ${formatRate(rate)}, ETA ${formatDuration(eta)}`;
}

export function logProgress(log: Logger, everyMs = 5000): Progress {
  const state = new Map<number, { started: number; done: number; lastPrint: number }>();
  return {
    start(t) {
      const at = Date.now();
      state.set(t.id, { started: at, done: 0, lastPrint: at });
    },
    advance(t, rows) {
      const s = state.get(t.id);
      if (!s) return;
      s.done += rows;
      const at = Date.now();
      if (at - s.lastPrint >= everyMs) {
        s.lastPrint = at;
        log.info(progressLine(`${t.schema}.${t.table}`, s.done, t.rowsEstimate, (at - s.started) / 1000));
      }
    },
  };
}
