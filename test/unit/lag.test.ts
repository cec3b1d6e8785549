/**
 * Issue 27: the replica's lag, from the server's own figure or the user's lag query, failing closed
 * (NULL is "not caught up", never 0), and the flavours' rule of whether the applier commits in the
 * source's order.
 */
import { describe, expect, it } from 'vitest';
import { dialectFor, parseVersion } from '../../src/flavours/index.js';
import { lagOfQuery, lagOfStatus, readLag } from '../../src/inspect/lag.js';
import type { Db, Row } from '../../src/db/connection.js';

const maria = dialectFor(parseVersion('10.11.19-MariaDB-0+deb12u1-log'));
const mysql = dialectFor(parseVersion('9.7.4'));
const mysql8021 = dialectFor(parseVersion('8.0.21'));

describe("the server's lag column, per flavour and version", () => {
  it.each([
    [maria, 'Seconds_Behind_Master'],
    [mysql, 'Seconds_Behind_Source'],
    [dialectFor(parseVersion('8.0.22')), 'Seconds_Behind_Source'],
    [mysql8021, 'Seconds_Behind_Master'],
  ])('%#: %s', (d, column) => {
    expect(d.replicaCols.secondsBehind).toBe(column);
  });
});

describe('the applier alone: the SQL thread of every channel, per flavour and version', () => {
  it.each([
    [maria, 'STOP ALL SLAVES SQL_THREAD', 'START ALL SLAVES SQL_THREAD'],
    [mysql, 'STOP REPLICA SQL_THREAD', 'START REPLICA SQL_THREAD'],
    [mysql8021, 'STOP SLAVE SQL_THREAD', 'START SLAVE SQL_THREAD'],
  ])('%#: %s', (d, stop, start) => {
    expect([d.stopApplierOnly, d.startApplierOnly]).toEqual([stop, start]);
  });
});

describe('lagOfStatus: the largest over the channels; any NULL is unknown', () => {
  const col = 'Seconds_Behind_Master';
  it.each<[string, Row[], unknown]>([
    ['one channel, caught up', [{ [col]: 0 }], { kind: 'seconds', seconds: 0 }],
    ['one channel, behind', [{ [col]: 12 }], { kind: 'seconds', seconds: 12 }],
    ['as text (a BIGINT read as a string)', [{ [col]: '7' }], { kind: 'seconds', seconds: 7 }],
    [
      'several channels: the largest',
      [{ [col]: 3 }, { [col]: 9 }, { [col]: 0 }],
      { kind: 'seconds', seconds: 9 },
    ],
    ['NULL: applier or receiver not running', [{ [col]: null }], { kind: 'unknown' }],
    ['one NULL among channels', [{ [col]: 1 }, { [col]: null }], { kind: 'unknown' }],
    ['the column missing', [{ Other: 1 }], { kind: 'unknown' }],
    ['empty text', [{ [col]: '' }], { kind: 'unknown' }],
    ['no row: not a replica', [], { kind: 'unknown' }],
  ])('%s', (_what, rows, want) => {
    expect(lagOfStatus(rows, col)).toMatchObject(want as object);
  });

  it('says which channels are unknown', () => {
    expect(lagOfStatus([{ [col]: 1 }, { [col]: null }], col)).toEqual({
      kind: 'unknown',
      why: `${col} is NULL on 1 of 2 replication channels`,
    });
  });
});

describe('lagOfQuery: one row, one number of seconds; anything else an error naming the input', () => {
  it.each<[string, Row[], unknown]>([
    ['an integer', [{ lag: 3 }], { kind: 'seconds', seconds: 3 }],
    ['a DECIMAL as text', [{ 'TIMESTAMPDIFF(...)': '2.250000' }], { kind: 'seconds', seconds: 2.25 }],
    ['a BIGINT', [{ lag: 5n }], { kind: 'seconds', seconds: 5 }],
    ['a float', [{ lag: 0.4 }], { kind: 'seconds', seconds: 0.4 }],
    ['jitter below zero, read as 0', [{ lag: -0.3 }], { kind: 'seconds', seconds: 0 }],
  ])('%s', (_what, rows, want) => {
    expect(lagOfQuery(rows, '--lag-query')).toEqual(want);
  });

  it.each<[string, Row[], RegExp]>([
    ['no row', [], /^--lag-query: answered 0 rows; it must answer one row with one number/],
    ['two rows', [{ a: 1 }, { a: 2 }], /answered 2 rows/],
    ['two columns', [{ a: 1, b: 2 }], /answered 2 columns/],
    ['NULL', [{ a: null }], /answered NULL/],
    ['text', [{ a: 'soon' }], /answered "soon", not a number/],
    ['a date', [{ a: new Date(0) }], /not a number/],
    ['far below zero', [{ a: -5 }], /answered -5: a lag below zero/],
  ])('%s', (_what, rows, message) => {
    const r = lagOfQuery(rows, '--lag-query');
    expect(r.kind).toBe('error');
    expect(r.kind === 'error' && r.message).toMatch(message);
  });

  it('names the input as the action calls it', () => {
    expect(lagOfQuery([], 'lag-query')).toMatchObject({ message: expect.stringMatching(/^lag-query: /) });
  });
});

describe('readLag never throws: a failed read is an error reading', () => {
  const db = (rows: (sql: string) => Row[]) => ({ rows: async (sql: string) => rows(sql) }) as unknown as Db;
  const failing = {
    rows: async () => Promise.reject(new Error('Table hb.t does not exist')),
  } as unknown as Db;

  it("reads the flavour's status statement and column", async () => {
    const seen: string[] = [];
    const r = await readLag(
      db((sql) => (seen.push(sql), [{ Seconds_Behind_Source: 4 }])),
      mysql,
      { kind: 'status' },
    );
    expect(r).toEqual({ kind: 'seconds', seconds: 4 });
    expect(seen).toEqual([mysql.allReplicasStatus]);
  });

  it('runs the lag query as given', async () => {
    const r = await readLag(
      db((sql) => (sql === 'SELECT 1.5' ? [{ x: '1.5' }] : [])),
      maria,
      { kind: 'query', sql: 'SELECT 1.5', input: '--lag-query' },
    );
    expect(r).toEqual({ kind: 'seconds', seconds: 1.5 });
  });

  it('a lag query that fails, naming the input', async () => {
    expect(await readLag(failing, maria, { kind: 'query', sql: 'SELECT x', input: '--lag-query' })).toEqual({
      kind: 'error',
      message: '--lag-query: the lag query failed: Table hb.t does not exist',
    });
  });

  it('a replica status that cannot be read', async () => {
    expect(await readLag(failing, maria, { kind: 'status' })).toMatchObject({ kind: 'error' });
  });
});

describe('the applier commits in the source order (what a flush in windows needs)', () => {
  const vars = (o: Record<string, string>) => new Map(Object.entries(o));
  it.each<[string, ReturnType<typeof dialectFor>, Record<string, string>, number[], boolean]>([
    // MySQL: more than one worker needs replica_preserve_commit_order
    [
      'MySQL single-threaded',
      mysql,
      { replica_parallel_workers: '1', replica_preserve_commit_order: 'OFF' },
      [],
      false,
    ],
    [
      'MySQL no workers',
      mysql,
      { replica_parallel_workers: '0', replica_preserve_commit_order: 'OFF' },
      [],
      false,
    ],
    [
      'MySQL 4 workers, preserved',
      mysql,
      { replica_parallel_workers: '4', replica_preserve_commit_order: 'ON' },
      [],
      false,
    ],
    [
      'MySQL 4 workers, not preserved',
      mysql,
      { replica_parallel_workers: '4', replica_preserve_commit_order: 'OFF' },
      [],
      true,
    ],
    [
      'MySQL 8.0.21: slave_* names',
      mysql8021,
      { slave_parallel_workers: '8', slave_preserve_commit_order: '0' },
      [],
      true,
    ],
    [
      'MySQL 8.0.21, preserved',
      mysql8021,
      { slave_parallel_workers: '8', slave_preserve_commit_order: '1' },
      [],
      false,
    ],
    // MariaDB: every mode commits in order within a domain; out of order only across domains
    [
      'MariaDB serial',
      maria,
      { slave_parallel_threads: '0', slave_parallel_mode: 'OPTIMISTIC' },
      [0, 1],
      false,
    ],
    [
      'MariaDB optimistic, one domain',
      maria,
      { slave_parallel_threads: '8', slave_parallel_mode: 'OPTIMISTIC' },
      [0],
      false,
    ],
    [
      'MariaDB aggressive, one domain',
      maria,
      { slave_parallel_threads: '8', slave_parallel_mode: 'AGGRESSIVE' },
      [0],
      false,
    ],
    [
      'MariaDB optimistic, two domains',
      maria,
      { slave_parallel_threads: '8', slave_parallel_mode: 'OPTIMISTIC' },
      [0, 1],
      true,
    ],
    [
      'MariaDB conservative, two domains',
      maria,
      { slave_parallel_threads: '4', slave_parallel_mode: 'CONSERVATIVE' },
      [0, 2],
      true,
    ],
    [
      'MariaDB minimal, two domains',
      maria,
      { slave_parallel_threads: '4', slave_parallel_mode: 'MINIMAL' },
      [0, 2],
      false,
    ],
    [
      'MariaDB none, two domains',
      maria,
      { slave_parallel_threads: '4', slave_parallel_mode: 'NONE' },
      [0, 2],
      false,
    ],
  ])('%s', (_what, d, values, domains, refused) => {
    for (const v of Object.keys(values)) expect(d.commitOrder.variables).toContain(v);
    const r = d.commitOrder.outOfOrder(vars(values), domains);
    expect(r !== undefined).toBe(refused);
    if (r) expect(r.fix).toMatch(/SET (PERSIST|GLOBAL) /);
  });
});
