/**
 * Issue 27: the preflight of a flush in windows, against the real replica (a dry run: nothing
 * changes). The sandbox's replica runs its applier and receiver and binlogs the applied changes, so
 * the checks pass there; a lag query that fails or answers no number is refused naming the input;
 * a stopped applier is refused with windows, and not without them.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PreflightError } from '../../src/model/errors.js';
import type { FlushSettings } from '../../src/model/settings.js';
import { replicaRunning, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush } from '../support/flusher.js';

const sb = inject('sandbox')!;
const S = 'bf_winpre';

describe('the preflight of a flush in windows', () => {
  const dry = (windows: FlushSettings['windows']) =>
    flushSettings(sb.replica, {
      selection: { databases: [S], tables: [], skip: [] },
      dryRun: true,
      lockWait: 0,
      windows,
    });
  const failures = async (s: FlushSettings) => {
    const e = await runFlush(s).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (e === undefined) return [];
    expect(e).toBeInstanceOf(PreflightError);
    return (e as PreflightError).failures;
  };

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
               CREATE TABLE ${S}.t (id INT PRIMARY KEY); INSERT INTO ${S}.t VALUES (1), (2);`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
  });

  it("passes on the sandbox's replica, with the server's lag and with a lag query", async () => {
    expect(await failures(dry({ maxLag: 5, window: 3, catchUpTo: 2 }))).toEqual([]);
    expect(await failures(dry({ maxLag: 5, window: 3, catchUpTo: 2, lagQuery: 'SELECT 0.5' }))).toEqual([]);
    expect(await replicaRunning(sb.replica)).toBe(true);
  });

  it.each([
    ['SELECT * FROM no_such_schema.heartbeat', /the lag query failed/],
    ["SELECT 'soon'", /answered "soon", not a number/],
    ['SELECT 1, 2', /answered 2 columns/],
    ['SELECT NULL', /answered NULL/],
  ])('refuses the lag query %s, naming it', async (lagQuery, message) => {
    const got = await failures(dry({ maxLag: 5, window: 3, catchUpTo: 2, lagQuery }));
    expect(got.map((f) => f.check)).toEqual(['lag-query']);
    expect(got[0]!.message).toMatch(message);
    expect(got[0]!.fix).toMatch(/--lag-query/);
  });

  it('refuses an applier someone stopped (only with windows)', async () => {
    await withSql(sb.replica, (c) =>
      c.query(sb.flavour === 'mysql' ? 'STOP REPLICA SQL_THREAD' : 'STOP SLAVE SQL_THREAD'),
    );
    try {
      const got = await failures(dry({ maxLag: 5, window: 3, catchUpTo: 2 }));
      expect(got.map((f) => f.message).join('\n')).toMatch(/applier \(SQL thread\) is stopped/);
      expect(got.every((f) => f.check === 'max-lag')).toBe(true);
      expect(await failures(dry(undefined))).toEqual([]);
    } finally {
      await startReplica(sb.replica);
    }
  });
});
