import { describe, expect, it } from 'vitest';
import { artifactBaseName, readActionSettings } from '../../src/action/inputs.js';
import { flushSummary, recoveryInstructions } from '../../src/action/summary.js';
import { flushOutputs } from '../../src/action/run.js';
import type { RunReport } from '../../src/engine/report.js';

const env = { GITHUB_JOB: 'flush', GITHUB_RUN_ATTEMPT: '2', RUNNER_TEMP: '/tmp/rt' };
/** The inputs of a step (a flush names what it flushes: here every schema). */
const from = (inputs: Record<string, string>) => (n: string) => ({ databases: '*', ...inputs })[n] ?? '';

describe('action inputs', () => {
  it('defaults', () => {
    const s = readActionSettings(from({ host: 'db-1', password: 'pw' }), env);
    expect(s.mode).toBe('flush');
    expect(s.flush.connection).toMatchObject({ host: 'db-1', port: 3306, user: 'root', password: 'pw' });
    expect(s.flush.replication).toEqual({ stopReplica: true, startReplica: false });
    expect(s.flush.concurrency).toBe(4);
    expect(s.flush.chunkSize).toBe(100000);
    expect(s.artifact.name).toBe('binlog-flusher-journal-db-1-flush-2');
    expect(s.flush.hashfile).toBe('/tmp/rt/binlog-flusher-journal-db-1-flush-2.hashfile');
    expect(s.flush.dryRun).toBe(false);
  });
  it('plan mode is a dry run', () => {
    expect(readActionSettings(from({ host: 'h', mode: 'plan' }), env).flush.dryRun).toBe(true);
  });
  it.each([
    [{ mode: 'nuke' }, /^mode: expected one of flush, recover, plan/],
    [{ host: '' }, /^host: is required/],
    [{ port: '99999' }, /^port: expected a whole number from 1 to 65535/],
    [{ concurrency: '0' }, /^concurrency:/],
    [{ 'chunk-size': '-5' }, /^chunk-size:/],
    [{ ddl: 'alter' }, /^ddl: expected one of create, none/],
    [{ 'stop-replica': 'sometimes' }, /^stop-replica: expected true or false/],
    [{ 'stop-replica': 'false', 'start-replica': 'true' }, /^start-replica:/],
    [{ databases: 'a;drop' }, /^databases:/],
    [{ tables: 'x`y' }, /^tables:/],
    [{ 'artifact-name': 'a/b' }, /^artifact-name:/],
    [{ 'retention-days': '365' }, /^retention-days:/],
    [{ 'run-id': '12' }, /^github-token: is required with run-id/],
    [{ 'ssl-mode': 'ON' }, /^ssl-mode:/],
    [{ mycnf: '/no/such/file.cnf' }, /^mycnf: .* does not exist/],
  ])('%j is refused naming the input', (over, re) => {
    expect(() => readActionSettings(from({ host: 'h', ...over }), env)).toThrow(re);
  });
  it('artifact names are safe for any host', () => {
    expect(artifactBaseName('db:1/x', { GITHUB_JOB: 'j' })).toBe('binlog-flusher-journal-db_1_x-j-1');
  });
});

describe('job summary', () => {
  const report: RunReport = {
    status: 'flushed',
    exitCode: 0,
    host: 'db1',
    port: 3306,
    serverId: 2,
    serverVersion: '10.11.19-MariaDB',
    startedAt: '',
    finishedAt: '',
    tables: [
      {
        schema: 's',
        table: 'a|b',
        status: 'flushed',
        rows: 10,
        chunks: 1,
        seconds: 0.5,
        rowsEstimate: 10,
        bytesEstimate: 0,
        chunking: '',
      },
    ],
    skipped: [{ schema: 's', table: 'v', reason: 'view: holds no rows of its own; left untouched' }],
    warnings: ['GTIDs are on'],
    replica: { wasReplica: true, stopped: true, started: false },
    binlog: {
      start: { file: 'binlog.000002', position: 4, gtid: '0-1-5' },
      end: { file: 'binlog.000002', position: 900, gtid: '0-2-9' },
    },
  };
  it('one row per table, totals, coordinates, skipped objects and warnings', () => {
    const md = flushSummary(report);
    expect(md).toContain('| `s.a\\|b` | 10 | 500 ms | flushed |');
    expect(md).toContain('| **total** | **10** | | **1 of 1 flushed** |');
    expect(md).toContain('Binlog start: `binlog.000002:4` (GTID `0-1-5`)');
    expect(md).toContain('| `s.v` | view: holds no rows of its own; left untouched |');
    expect(md).toContain('- GTIDs are on');
    expect(md).toContain('left stopped');
  });
  it('rows-flushed counts every row the binlog holds: a table put back part-copied too (issue 25, finding 12)', () => {
    const cancelled: RunReport = {
      ...report,
      status: 'failed-restored',
      tables: [
        report.tables[0]!,
        { ...report.tables[0]!, table: 'big', status: 'restored', rows: 200_000, partial: {} },
      ],
    };
    expect(flushOutputs(cancelled)).toMatchObject({ 'tables-flushed': '1', 'rows-flushed': '200010' });
    expect(flushOutputs(report)['rows-flushed']).toBe('10');
  });
  it('recovery instructions name the artifact and the other run', () => {
    const text = recoveryInstructions('j-1', 'db1', '77');
    expect(text).toContain('mode: recover');
    expect(text).toContain('artifact-name: j-1');
    expect(text).toContain('run-id: 77');
  });
});
