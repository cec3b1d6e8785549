/**
 * Issue 27: what preflight refuses for a flush in windows, each failure with a fix that exists, in
 * the words of the surface that asked (only when `max-lag` is given: see preflight.ts).
 */
import { describe, expect, it } from 'vitest';
import { namesFor } from '../../src/model/input-names.js';
import { windowFailures, type WindowFacts } from '../../src/plan/window-checks.js';

const cli = namesFor('cli');
const action = namesFor('action');

/** A replica a flush in windows can run on. */
const good: WindowFacts = {
  replica: { sqlRunning: true, ioRunning: true },
  logsApplied: { variable: 'log_slave_updates', value: 'ON' },
  outOfOrder: undefined,
  gtidMode: 'ON',
  applierAdmin: { granted: true, privilege: 'REPLICATION SLAVE ADMIN' },
  lag: { kind: 'seconds', seconds: 3 },
  lagQuery: false,
};
const facts = (o: Partial<WindowFacts>): WindowFacts => ({ ...good, ...o });

describe('windowFailures', () => {
  it('a replica that can take it: none', () => {
    expect(windowFailures(good, cli)).toEqual([]);
    expect(
      windowFailures(facts({ gtidMode: 'OFF', logsApplied: { variable: 'x', value: '1' } }), cli),
    ).toEqual([]);
    // A lag of any size is no refusal: the flush waits for the catch-up before its first window.
    expect(windowFailures(facts({ lag: { kind: 'seconds', seconds: 9999 } }), cli)).toEqual([]);
  });

  it.each<[string, Partial<WindowFacts>, string, RegExp, RegExp]>([
    ['not a replica', { replica: undefined }, 'max-lag', /not a replica/, /^drop --max-lag$/],
    [
      'the applier stopped by someone',
      { replica: { sqlRunning: false, ioRunning: true } },
      'max-lag',
      /applier \(SQL thread\) is stopped/,
      /start the applier first.*or drop --max-lag/,
    ],
    [
      'the receiver not running',
      { replica: { sqlRunning: true, ioRunning: false } },
      'max-lag',
      /receiver \(IO thread\) is not running/,
      /start the receiver first/,
    ],
    [
      'the applied changes not binlogged',
      { logsApplied: { variable: 'log_replica_updates', value: 'OFF' } },
      'max-lag',
      /log_replica_updates is OFF: .*never the live changes/,
      /log_replica_updates = ON/,
    ],
    [
      'out of order (the flavour says why and how to fix it)',
      { outOfOrder: { message: 'workers out of order', fix: 'SET PERSIST x = ON' } },
      'max-lag',
      /^workers out of order$/,
      /^SET PERSIST x = ON, or drop --max-lag/,
    ],
    [
      'a GTID migration half done',
      { gtidMode: 'ON_PERMISSIVE' },
      'max-lag',
      /gtid_mode is ON_PERMISSIVE/,
      /gtid_mode = ON/,
    ],
    [
      'no privilege to stop and start the applier',
      { applierAdmin: { granted: false, privilege: 'REPLICATION_SLAVE_ADMIN' } },
      'privilege',
      /once per window/,
      /^GRANT REPLICATION_SLAVE_ADMIN ON \*\.\* TO the flush user$/,
    ],
    [
      'the lag query fails',
      { lag: { kind: 'error', message: '--lag-query: the lag query failed: no table' }, lagQuery: true },
      'lag-query',
      /the lag cannot be read: --lag-query: the lag query failed/,
      /give --lag-query a SELECT that answers one row with one number/,
    ],
    [
      'the replica status unreadable',
      { lag: { kind: 'error', message: 'cannot read the replica status: denied' } },
      'max-lag',
      /cannot read the replica status/,
      /SHOW REPLICA STATUS/,
    ],
    [
      'the lag unknown while applier and receiver run',
      { lag: { kind: 'unknown', why: 'Seconds_Behind_Master is NULL' } },
      'max-lag',
      /does not know its lag: Seconds_Behind_Master is NULL/,
      /--lag-query \(a heartbeat table\)/,
    ],
  ])('%s', (_what, o, check, message, fix) => {
    const got = windowFailures(facts(o), cli);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ check });
    expect(got[0]!.message).toMatch(message);
    expect(got[0]!.fix).toMatch(fix);
  });

  it('every failure at once, listed; an unknown lag is not counted twice with a stopped applier', () => {
    const got = windowFailures(
      facts({
        replica: { sqlRunning: false, ioRunning: false },
        logsApplied: { variable: 'log_slave_updates', value: 'OFF' },
        outOfOrder: { message: 'm', fix: 'f' },
        gtidMode: 'OFF_PERMISSIVE',
        applierAdmin: { granted: false, privilege: 'SUPER' },
        lag: { kind: 'unknown', why: 'NULL' },
      }),
      cli,
    );
    expect(got).toHaveLength(6);
  });

  it("names the inputs in the action's words", () => {
    expect(windowFailures(facts({ replica: undefined }), action)[0]!.fix).toBe('drop max-lag');
    const q = windowFailures(facts({ lag: { kind: 'error', message: 'x' }, lagQuery: true }), action);
    expect(q[0]!.fix).toMatch(/^give lag-query a SELECT/);
  });
});
