/**
 * Issue 27: the window records of a flush in windows, read back in the one order a run writes them
 * (caught-up n-1, open n, close n, applier-started n), and what recover does from the last of them.
 */
import { describe, expect, it } from 'vitest';
import { JOURNAL_FORMAT, JOURNAL_KIND, parseJournal, type WindowEvent } from '../../src/journal/journal.js';
import { backupName, twinName } from '../../src/model/table-names.js';
import { decideWindowRecovery, type WindowRecoverFacts } from '../../src/engine/window-recover.js';

const header = {
  type: 'header',
  kind: JOURNAL_KIND,
  format: JOURNAL_FORMAT,
  tool: 't',
  host: 'h',
  port: 3306,
  serverId: 1,
  serverUuid: 'u',
  serverVersion: '11.8.3-MariaDB',
  startedAt: 'x',
  runTag: 'abcd0123',
  options: {},
};
const plan = {
  type: 'plan',
  marker: 'm',
  tables: [
    { id: 1, schema: 'd', table: 't', backup: backupName('abcd0123', 1), twin: twinName('abcd0123', 1) },
  ],
};
const pos = (position: number) => ({ file: 'bin.000001', position, gtid: `0-1-${position}` });
const w = (event: WindowEvent, n: number, more: object = {}) => ({
  type: 'window',
  event,
  n,
  at: 'x',
  ...more,
});
const read = (...recs: object[]) =>
  parseJournal([header, plan, ...recs].map((r) => JSON.stringify(r)).join('\n'), 'j');

describe('window records', () => {
  it('a run of two windows, read back: the last record and each window with its coordinates', () => {
    const j = read(
      w('caught-up', 0, { lag: 0 }),
      w('open', 1, { binlog: pos(100) }),
      { type: 'step', id: 1, step: 'set-aside', at: 'x' },
      w('close', 1, { binlog: pos(500) }),
      w('applier-started', 1),
      w('caught-up', 1, { lag: 1.5 }),
      w('open', 2, { binlog: pos(900) }),
    );
    expect(j.window).toEqual({ event: 'open', n: 2 });
    expect(j.windows).toEqual([
      { n: 1, open: pos(100), close: pos(500) },
      { n: 2, open: pos(900) },
    ]);
  });

  it('a journal without windows has none', () => {
    const j = read();
    expect(j.window).toBeUndefined();
    expect(j.windows).toEqual([]);
  });

  it.each<[string, object[], string]>([
    ['an open without the catch-up before it', [w('open', 1)], 'open of window 1 after no window record'],
    ['a first catch-up not numbered 0', [w('caught-up', 1)], 'caught-up of window 1 after no window record'],
    ['a window skipped', [w('caught-up', 0), w('open', 2)], 'open of window 2 after caught-up of window 0'],
    ['window 0 opened', [w('caught-up', 0), w('open', 0)], 'open of window 0 after caught-up of window 0'],
    [
      'a close of another window',
      [w('caught-up', 0), w('open', 1), w('close', 2)],
      'close of window 2 after open of window 1',
    ],
    [
      'the applier started with the window open',
      [w('caught-up', 0), w('open', 1), w('applier-started', 1)],
      'applier-started of window 1 after open of window 1',
    ],
    [
      'a catch-up before the applier started',
      [w('caught-up', 0), w('open', 1), w('close', 1), w('caught-up', 1)],
      'caught-up of window 1 after close of window 1',
    ],
    [
      'the same record twice',
      [w('caught-up', 0), w('open', 1), w('open', 1)],
      'open of window 1 after open of window 1',
    ],
  ])('refused: %s', (_what, recs, why) => {
    expect(() => read(...recs)).toThrow(
      `line ${3 + recs.length - 1}: a window record binlog-flusher never writes (${why})`,
    );
  });

  it.each<[string, object]>([
    ['an unknown event', w('paused' as WindowEvent, 1)],
    ['a negative lag', w('caught-up', 0, { lag: -1 })],
    ['a lag as text', w('caught-up', 0, { lag: '2' })],
    ['a window number as text', w('caught-up', '0' as unknown as number)],
  ])('refused by its shape: %s', (_what, rec) => {
    expect(() => read(rec)).toThrow(/line 3: a window record binlog-flusher never writes \(field /);
  });
});

describe('what recover does with each window state', () => {
  const f = (o: Partial<WindowRecoverFacts>): WindowRecoverFacts => ({
    window: undefined,
    ended: false,
    tablesAside: false,
    applierRunning: false,
    ...o,
  });
  const at = (event: WindowEvent, n = 3) => ({ event, n });

  it('not a flush in windows, or one that ended itself: nothing of its own', () => {
    expect(decideWindowRecovery(f({}))).toBeUndefined();
    expect(decideWindowRecovery(f({ window: at('open'), ended: true, tablesAside: true }))).toBeUndefined();
  });

  it.each<[string, Partial<WindowRecoverFacts>, [stop: boolean, putBack: boolean, start: boolean], RegExp]>([
    // killed with a window open
    [
      'open, tables aside, applier stopped',
      { window: at('open'), tablesAside: true },
      [false, true, true],
      /window 3 was open; tables are aside: /,
    ],
    [
      'open, tables aside, applier running (restarted by someone)',
      { window: at('open'), tablesAside: true, applierRunning: true },
      [true, true, true],
      /stopped while they are put back/,
    ],
    [
      'open, none aside yet, applier stopped',
      { window: at('open') },
      [false, false, true],
      /no table is aside: the applier is started again/,
    ],
    [
      'open, killed before the stop: applier running',
      { window: at('open'), applierRunning: true },
      [false, false, false],
      /the applier runs/,
    ],
    // killed after the close, before the start
    ['close, applier stopped', { window: at('close') }, [false, false, true], /window 3 had closed/],
    [
      'close, applier running',
      { window: at('close'), applierRunning: true },
      [false, false, false],
      /the applier runs/,
    ],
    [
      'close, yet a table aside',
      { window: at('close'), tablesAside: true },
      [false, true, true],
      /although the journal has every table back/,
    ],
    // killed between windows
    [
      'applier-started, running',
      { window: at('applier-started'), applierRunning: true },
      [false, false, false],
      /nothing to do/,
    ],
    [
      'caught-up, running',
      { window: at('caught-up'), applierRunning: true },
      [false, false, false],
      /between windows/,
    ],
    [
      'caught-up 0 (before the first window), running',
      { window: at('caught-up', 0), applierRunning: true },
      [false, false, false],
      /nothing to do/,
    ],
    [
      'applier-started, stopped by someone',
      { window: at('applier-started') },
      [false, false, false],
      /left as it is/,
    ],
    [
      'between windows, yet a table aside',
      { window: at('caught-up'), tablesAside: true, applierRunning: true },
      [true, true, true],
      /although the journal has every table back/,
    ],
  ])('%s', (_what, o, [stop, putBack, start], note) => {
    const p = decideWindowRecovery(f(o))!;
    expect([p.stopApplier, p.putBack, p.startApplier]).toEqual([stop, putBack, start]);
    expect(p.note).toMatch(note);
  });

  it('never starts the applier without putting back the tables aside first', () => {
    for (const event of ['caught-up', 'open', 'close', 'applier-started'] as const)
      for (const applierRunning of [true, false]) {
        const p = decideWindowRecovery(f({ window: at(event), tablesAside: true, applierRunning }))!;
        expect(p.putBack, `${event} ${applierRunning}`).toBe(true);
        expect(p.stopApplier).toBe(applierRunning);
      }
  });
});
