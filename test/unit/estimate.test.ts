import { describe, expect, it } from 'vitest';
import { estimateRun, measuredRetentionWarning, retentionWarnings } from '../../src/plan/estimate.js';

const table = (rowsEstimate: number, bytesEstimate: number, chunkRows = 1000) => ({
  rowsEstimate,
  bytesEstimate,
  chunkRows,
});

describe('binlog volume and duration', () => {
  it('data length plus the events of each chunk; seconds at the rate', () => {
    const e = estimateRun([table(10_000, 1_000_000), table(1, 16_384)], 1000);
    expect(e.binlogBytes).toBe(1_000_000 + 10 * 300 + 16_384 + 300);
    expect(e.rows).toBe(10_001);
    expect(e.seconds).toBe(11);
  });
});

describe('retention warnings', () => {
  const day = 86_400;
  const e = { binlogBytes: 5e9, rows: 1e9, seconds: 10 * 3600, rowsPerSecond: 27_778 };
  const r = (expireSeconds: number, over: Partial<Parameters<typeof retentionWarnings>[0]> = {}) => ({
    expireSeconds,
    source: 'binlog_expire_logs_seconds',
    totalSizeLimit: 0,
    autoPurge: true,
    ...over,
  });
  it('warns with how much is left, how short of the margin, and how to raise it (per flavour)', () => {
    const [w] = retentionWarnings(r(day), e, 24, 'mysql');
    expect(w).toMatch(/purged 24\.0 h after they are written \(binlog_expire_logs_seconds\)/);
    expect(w).toMatch(/estimated at 10\.0 h, so a reader has 14\.0 h after its end/);
    expect(w).toMatch(/10\.0 h short of the 24 h margin/);
    expect(w).toMatch(/SET PERSIST binlog_expire_logs_seconds/);
    expect(retentionWarnings(r(day, { source: 'expire_logs_days' }), e, 24, 'mariadb')[0]).toMatch(
      /SET GLOBAL expire_logs_days/,
    );
  });
  it('is quiet when the margin holds, when nothing expires, or when automatic purge is off', () => {
    expect(retentionWarnings(r(3 * day), e, 24, 'mysql')).toEqual([]);
    expect(retentionWarnings(r(0, { source: 'none' }), e, 24, 'mysql')).toEqual([]);
    expect(retentionWarnings(r(day, { autoPurge: false }), e, 24, 'mysql')).toEqual([]);
  });
  it('warns when the run comes near a total size limit (MariaDB 11.4+)', () => {
    const [w] = retentionWarnings(r(0, { totalSizeLimit: 8e9 }), e, 24, 'mariadb');
    expect(w).toMatch(/max_binlog_total_size/);
  });
});

describe('retention at the measured rate', () => {
  const day = 86_400;
  const r = { expireSeconds: day, source: 'binlog_expire_logs_seconds', totalSizeLimit: 0, autoPurge: true };
  it('warns when the rate measured so far puts the end past the margin', () => {
    // 3.6M of 100M rows in an hour: 1,000 rows/s, about 27.8 h in all.
    const w = measuredRetentionWarning(
      r,
      { rows: 3_600_000, rowsEstimate: 100_000_000, seconds: 3600 },
      24,
      'mysql',
    );
    expect(w).toMatch(
      /at the measured 1000 rows\/s the run takes 27\.8 h, so a reader has no time after its end/,
    );
  });
  it('waits for a rate worth trusting, and is quiet while the margin holds', () => {
    expect(
      measuredRetentionWarning(r, { rows: 10, rowsEstimate: 100_000_000, seconds: 5 }, 24, 'mysql'),
    ).toBeUndefined();
    expect(
      measuredRetentionWarning(r, { rows: 0, rowsEstimate: 100, seconds: 60 }, 24, 'mysql'),
    ).toBeUndefined();
    const fast = { rows: 50_000_000, rowsEstimate: 100_000_000, seconds: 60 };
    expect(measuredRetentionWarning({ ...r, expireSeconds: 3 * day }, fast, 24, 'mysql')).toBeUndefined();
  });
});
