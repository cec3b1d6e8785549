/**
 * Issue 27: `recover` of a flush in windows that was killed, from its last window record. The
 * journal is a real run's, its end record cut off and window records added, as a kill leaves them
 * (the windows themselves are not built yet): with a window open or closed, the run had stopped the
 * applier, and recover starts it again once every table is back; between windows the run had it
 * running, and an applier stopped now is someone else's: left as it is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replicaRunning, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { flushSettings, runFlush, runRecover } from '../support/flusher.js';
import { readJournal } from '../../src/journal/journal.js';

const sb = inject('sandbox')!;
const S = 'bf_winrec';
const at = new Date().toISOString();
const w = (event: string, n: number, more: object = {}) => ({ type: 'window', event, n, at, ...more });

describe('recover of a flush in windows, killed', () => {
  /** A finished run's journal, as a run in windows killed after these window records leaves it. */
  let clean = '';
  const killedAfter = (records: object[]): string => {
    const lines = clean
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => (JSON.parse(l) as { type: string }).type !== 'end');
    const path = `${journalPath}.killed-${++kills}`;
    writeFileSync(path, [...lines, ...records.map((r) => JSON.stringify(r))].join('\n') + '\n');
    return path;
  };
  let journalPath = '';
  let kills = 0;
  const stopApplier = () =>
    withSql(sb.replica, (c) =>
      c.query(sb.flavour === 'mysql' ? 'STOP REPLICA SQL_THREAD' : 'STOP SLAVE SQL_THREAD'),
    );

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S};
               CREATE TABLE ${S}.t (id INT PRIMARY KEY); INSERT INTO ${S}.t VALUES (1), (2), (3);`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    const s = flushSettings(sb.replica, {
      selection: { databases: [S], tables: [], skip: [] },
      replication: { stopReplica: true, startReplica: true },
    });
    const { report } = await runFlush(s);
    expect(report.status).toBe('flushed');
    journalPath = s.hashfile!;
    clean = readFileSync(journalPath, 'utf8');
    expect(await replicaRunning(sb.replica)).toBe(true);
  });
  afterAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${S}`));
  });

  it.each([
    ['a window open', [w('caught-up', 0, { lag: 0 }), w('open', 1)]],
    [
      'a window closed, the applier not started yet',
      [w('caught-up', 0, { lag: 0 }), w('open', 1), w('close', 1)],
    ],
  ])('%s, the applier stopped: recover starts it again', async (_what, records) => {
    const j = killedAfter(records);
    expect(readJournal(j).window?.n).toBe(1);
    await stopApplier();
    const { report, log } = await runRecover(sb.replica, j);
    expect(report.status).toBe('recovered');
    expect(report.replica).toMatchObject({ stopped: false, started: true });
    expect(log.lines.join('\n')).toMatch(/flush in windows: .*the applier is started again/);
    expect(await replicaRunning(sb.replica)).toBe(true);
  });

  it('between windows, the applier stopped by someone: left as it is', async () => {
    const j = killedAfter([
      w('caught-up', 0, { lag: 0 }),
      w('open', 1),
      w('close', 1),
      w('applier-started', 1),
    ]);
    await stopApplier();
    try {
      const { report, log } = await runRecover(sb.replica, j);
      expect(report.status).toBe('recovered');
      expect(report.replica).toMatchObject({ stopped: false, started: false });
      expect(log.lines.join('\n')).toMatch(/which the run did not do .*left as it is/);
      expect(await replicaRunning(sb.replica)).toBe(false);
    } finally {
      await startReplica(sb.replica);
    }
  });

  it('between windows, the applier running: nothing to do', async () => {
    const j = killedAfter([w('caught-up', 0, { lag: 0 })]);
    const { report } = await runRecover(sb.replica, j);
    expect(report.replica).toMatchObject({ stopped: false, started: false });
    expect(await replicaRunning(sb.replica)).toBe(true);
  });
});
