import { describe, expect, it } from 'vitest';
import { code, flushSummary, provenByValue, verifySummary } from '../../src/action/summary.js';
import type { RunReport } from '../../src/engine/report.js';
import type { VerifyReport } from '../../src/verify/verify.js';

describe('names in the job summary', () => {
  it.each([
    ['shop.orders', '`shop.orders`'],
    ['shop.odd`name x', '`` shop.odd`name x ``'],
    ['s.a``b', '``` s.a``b ```'],
    ['s.pipe|name', '`s.pipe\\|name`'],
  ])('%s is shown as %s', (name, md) => {
    expect(code(name)).toBe(md);
  });
});

describe('the consumer side of the job summary', () => {
  const at = (position: number, gtid = '') => ({ file: 'binlog.000002', position, gtid });
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
        table: 'a',
        status: 'flushed',
        rows: 7,
        chunks: 2,
        seconds: 0.1,
        rowsEstimate: 7,
        bytesEstimate: 16384,
        chunking: 'range',
        binlog: { start: at(100), end: at(400, '77-2-3') },
      },
    ],
    skipped: [],
    warnings: [],
    replica: { wasReplica: true, stopped: true, started: false },
    binlog: { start: at(100), end: at(500, '77-2-3') },
    estimate: { binlogBytes: 16_684, rows: 7, seconds: 1, rowsPerSecond: 100_000 },
    manifest: '/tmp/j.hashfile.manifest.json',
    gtid: {
      written: '77-2-1..77-2-3',
      placement: 'GTID domain 77',
      steps: [
        {
          where: 'on every replica pointed at this server',
          sql: 'CHANGE MASTER TO IGNORE_DOMAIN_IDS = (77);',
        },
      ],
    },
  };
  it('has the estimate, the manifest table and the GTID statements', () => {
    const md = flushSummary(report);
    expect(md).toMatch(/- Binlog estimate before the run: about 16\.3 KiB of binlog for ~7 rows/);
    expect(md).toMatch(/- Manifest \(per table binlog ranges\): `\/tmp\/j\.hashfile\.manifest\.json`/);
    expect(md).toMatch(
      /\| `s\.a` \| 7 \| 2 \| `binlog\.000002:100` \| `binlog\.000002:400` \(GTID `77-2-3`\) \|/,
    );
    expect(md).toMatch(/The flush wrote `77-2-1\.\.77-2-3` on this replica \(GTID domain 77\)/);
    expect(md).toMatch(/```sql\n {2}CHANGE MASTER TO IGNORE_DOMAIN_IDS = \(77\);\n {2}```/);
  });
  it('the verify table marks each mismatch and lists what is not ours', () => {
    const v: VerifyReport = {
      ok: false,
      status: 'mismatch',
      exitCode: 6,
      hashfile: 'j',
      binlog: { start: at(100), end: at(500) },
      events: 9,
      tables: [
        {
          schema: 's',
          table: 'a',
          expected: 8,
          found: 7,
          ddl: true,
          problems: ['7 rows in the binlog, the journal says 8'],
          values: { by: 'count', why: 'written after the run (update rows at binlog.000002:900)' },
        },
        {
          schema: 's',
          table: 'b',
          expected: 3,
          found: 3,
          ddl: true,
          problems: [],
          values: { by: 'value', equal: true, tableRows: 3 },
        },
        {
          schema: 's',
          table: 'c',
          expected: 2,
          found: 2,
          ddl: true,
          problems: ["values differ from the binlog's (same number of rows)"],
          values: { by: 'value', equal: false, tableRows: 2, differences: ['id=5: column v differs'] },
        },
      ],
      foreign: [{ what: 'insert rows of o.t', count: 1, first: 'binlog.000002:300' }],
    };
    const md = verifySummary(v);
    expect(md).toMatch(/## binlog-flusher verify: mismatch/);
    expect(md).toMatch(/Compared by value: 2 of 3 tables/);
    expect(md).toMatch(
      /\| `s\.a` \| 8 \| 7 \| by count: written after the run \(update rows at binlog\.000002:900\) \| \*\*mismatch\*\*: 7 rows in the binlog, the journal says 8 \|/,
    );
    expect(md).toMatch(/\| `s\.b` \| 3 \| 3 \| by value \| ok \|/);
    expect(md).toMatch(/### Rows that differ between the binlog and the table/);
    expect(md).toMatch(/- `s\.c`: id=5: column v differs/);
    expect(md).toMatch(/- insert rows of o\.t \(1, first at `binlog\.000002:300`\)/);
    expect(provenByValue(v)).toEqual(['s.b']);
  });
});
