import { describe, expect, it } from 'vitest';
import { liveStatus } from '../../src/cli/live.js';
import { statusLine } from '../../src/engine/status.js';
import { memoryLogger } from '../../src/model/log.js';

describe('status line', () => {
  it('says tables and rows done of the estimate, rate, ETA and binlog bytes', () => {
    expect(
      statusLine({
        tablesDone: 3,
        tables: 10,
        rows: 1_200_000,
        rowsEstimate: 4_000_000,
        seconds: 2,
        binlogBytes: 75 << 20,
      }),
    ).toBe('progress: tables 3/10, rows 1.20M/~4.00M (30%), 600.0k rows/s, ETA 5s, binlog +75.0 MiB');
    // more rows than estimated: the estimate grows, never over 100%
    expect(statusLine({ tablesDone: 1, tables: 1, rows: 500, rowsEstimate: 300, seconds: 1 })).toBe(
      'progress: tables 1/1, rows 500/~500 (100%), 500 rows/s, ETA 0s',
    );
  });

  it('says paused or braked, and for how long, instead of a rate and an ETA', () => {
    const base = { tablesDone: 0, tables: 2, rows: 500, rowsEstimate: 1000, seconds: 30 };
    expect(statusLine({ ...base, held: { reason: 'paused', seconds: 25 } })).toBe(
      'progress: tables 0/2, rows 500/~1000 (50%), paused for 25s',
    );
    expect(statusLine({ ...base, held: { reason: 'braked', seconds: 3 } })).toBe(
      'progress: tables 0/2, rows 500/~1000 (50%), braked for 3s',
    );
  });

  it('on a terminal: drawn in place, cleared before every log line and drawn again under it', () => {
    const out: string[] = [];
    const base = memoryLogger();
    const { log, sink } = liveStatus(base, (t) => out.push(t));
    log.info('before any status');
    expect(out).toEqual([]);
    sink.line('progress: 1', false);
    log.warn('a warning');
    sink.line('progress: 2', false);
    sink.line('progress: done', true);
    log.info('after');
    expect(out).toEqual([
      '\r\x1b[Kprogress: 1',
      '\r\x1b[K',
      'progress: 1',
      '\r\x1b[Kprogress: 2',
      '\r\x1b[Kprogress: done\n',
    ]);
    expect(base.lines).toEqual(['before any status', 'warning: a warning', 'after']);
  });
});
