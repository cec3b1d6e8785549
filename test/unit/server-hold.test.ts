/**
 * The server hold's transitions, against a fake server (MySQL's tie between the two switches, an
 * applier, a set of tables) and a fake journal that both write to one ordered trace, so a test sees
 * that every setting change is journaled before it is made. `decideRelease`, table by table.
 */
import { describe, expect, it } from 'vitest';
import {
  ServerHold,
  decideRelease,
  heldIn,
  type ApplierHold,
  type HoldTarget,
  type ReleaseFacts,
} from '../../src/engine/server-hold.js';
import type { ReadOnlyState } from '../../src/inspect/server.js';
import type { JournalRecord, JournalState, ServerSetting } from '../../src/journal/journal.js';
import type { Logger } from '../../src/model/log.js';
import type { SettingChange } from '../../src/engine/server-settings.js';

const RO: SettingChange = { name: 'read_only', from: 'OFF', to: 'ON' };
const SRO: SettingChange = { name: 'super_read_only', from: 'ON', to: 'OFF' };

interface Fake {
  trace: string[];
  warnings: string[];
  infos: string[];
  state: ReadOnlyState;
  hold: ServerHold;
}

/** A server in `state` holding `tables`; `refuse` names statements that fail. */
function fake(
  state: ReadOnlyState,
  opts: { held?: SettingChange[]; tables?: string[]; refuse?: string[]; journal?: boolean } = {},
): Fake {
  const trace: string[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const s = { ...state };
  const run = (stmt: string) => {
    if (opts.refuse?.includes(stmt)) throw new Error(`refused: ${stmt}`);
    trace.push(stmt);
  };
  const target: HoldTarget = {
    readOnly: () => Promise.resolve({ ...s }),
    set: (name: ServerSetting, value) => {
      run(`SET ${name}=${value}`);
      s[name] = value;
      if (name === 'read_only' && value === 'OFF' && s.super_read_only) s.super_read_only = 'OFF';
      if (name === 'super_read_only' && value === 'ON') s.read_only = 'ON';
      return Promise.resolve();
    },
    stopApplier: () => Promise.resolve(run('STOP')),
    startApplier: () => Promise.resolve(run('START')),
    existing: (tables) =>
      Promise.resolve(tables.filter((t) => (opts.tables ?? []).includes(`${t.schema}.${t.table}`))),
  };
  const journal = {
    write: (rec: JournalRecord) => {
      if (rec.type === 'setting') trace.push(`journal setting ${rec.name} ${rec.from}->${rec.to}`);
      else if (rec.type === 'setting-restored') trace.push(`journal restored ${rec.name} ${rec.value}`);
      else trace.push(`journal ${rec.type}`);
      return Promise.resolve();
    },
  };
  const log: Logger = {
    debug: () => undefined,
    info: (m) => infos.push(m),
    warn: (m) => warnings.push(m),
    error: (m) => warnings.push(m),
    group: (_t, fn) => fn(),
  };
  const hold = new ServerHold(target, opts.journal === false ? undefined : journal, log, opts.held);
  return { trace, warnings, infos, state: s, hold };
}

const st = (ro: 'ON' | 'OFF', sro?: 'ON' | 'OFF'): ReadOnlyState =>
  sro === undefined ? { read_only: ro } : { read_only: ro, super_read_only: sro };

const JT = (schema: string, table: string) =>
  ({ id: 1, schema, table, backup: `_b_${table}`, twin: `_t_${table}` }) as JournalState['tables'][number];

describe('holding read_only / super_read_only (holdReadOnly)', () => {
  it.each<[string, ReadOnlyState, string[], SettingChange[]]>([
    ['MariaDB, read_only OFF', st('OFF'), ['journal setting read_only OFF->ON', 'SET read_only=ON'], [RO]],
    [
      'MySQL, super_read_only ON',
      st('ON', 'ON'),
      ['journal setting super_read_only ON->OFF', 'SET super_read_only=OFF'],
      [SRO],
    ],
    ['MySQL, read_only ON only: nothing', st('ON', 'OFF'), [], []],
  ])('%s: journaled, then made', async (_, state, trace, held) => {
    const f = fake(state);
    const reports = await f.hold.holdReadOnly();
    expect(f.trace).toEqual(trace);
    expect(f.hold.settings).toEqual(held);
    expect(reports.map((r) => r.outcome)).toEqual(held.map(() => 'held'));
  });

  it('holding again changes nothing: the server shows it held', async () => {
    const f = fake(st('OFF', 'OFF'));
    await f.hold.holdReadOnly();
    expect(await f.hold.holdReadOnly()).toEqual([]);
    expect(f.trace).toEqual(['journal setting read_only OFF->ON', 'SET read_only=ON']);
    expect(f.hold.settings).toEqual([RO]);
  });

  it('a refused change is journaled first: the journal tells recover to put it back', async () => {
    const f = fake(st('OFF'), { refuse: ['SET read_only=ON'] });
    await expect(f.hold.holdReadOnly()).rejects.toThrow('refused');
    expect(f.trace).toEqual(['journal setting read_only OFF->ON']);
  });
});

describe('putting the settings back (putBack)', () => {
  it('puts back what it held, then journals it restored, and holds nothing after', async () => {
    const f = fake(st('ON', 'ON'));
    await f.hold.holdReadOnly();
    const reports = await f.hold.putBack();
    expect(f.trace.slice(2)).toEqual(['SET super_read_only=ON', 'journal restored super_read_only ON']);
    expect(reports.map((r) => r.outcome)).toEqual(['restored']);
    expect(f.hold.settings).toEqual([]);
    expect(f.state).toEqual(st('ON', 'ON'));
    // Again: nothing held, nothing done.
    expect(await f.hold.putBack()).toEqual([]);
    expect(f.trace).toHaveLength(4);
  });

  it("takes over a journal's held settings (recover), and leaves alone what someone changed", async () => {
    const f = fake(st('ON', 'ON'), {
      held: heldIn({ settings: new Map([['read_only', { from: 'OFF', to: 'ON' }]]) }),
    });
    const reports = await f.hold.putBack();
    expect(f.trace).toEqual(['journal restored read_only ON']);
    expect(reports.map((r) => r.outcome)).toEqual(['changed']);
    expect(f.warnings).toHaveLength(1);
  });

  it('a refused put-back keeps every change held', async () => {
    const f = fake(st('ON'), { held: [RO], refuse: ['SET read_only=OFF'] });
    await expect(f.hold.putBack()).rejects.toThrow('refused');
    expect(f.hold.settings).toEqual([RO]);
    expect(f.trace).toEqual([]);
  });
});

describe("recover's own super_read_only hold (holdForRecovery)", () => {
  const tables = [JT('s', 'a')];

  it('super_read_only ON with a table of the journal set aside: journaled, turned OFF, held', async () => {
    const f = fake(st('ON', 'ON'), { tables: ['s._b_a'] });
    await f.hold.holdForRecovery(tables);
    expect(f.trace).toEqual(['journal setting super_read_only ON->OFF', 'SET super_read_only=OFF']);
    expect(f.hold.settings).toEqual([SRO]);
  });

  it.each<[string, ReadOnlyState, { tables?: string[]; journal?: boolean }]>([
    ['nothing of the journal on the server', st('ON', 'ON'), {}],
    ['super_read_only OFF', st('ON', 'OFF'), { tables: ['s._t_a'] }],
    ['no journal to write (a legacy hashfile)', st('ON', 'ON'), { tables: ['s._b_a'], journal: false }],
  ])('%s: nothing changes', async (_, state, opts) => {
    const f = fake(state, opts);
    await f.hold.holdForRecovery(tables);
    expect(f.trace).toEqual([]);
    expect(f.hold.settings).toEqual([]);
  });

  it('refused: journaled back, not held (a journaled hold of the run goes with it), warned', async () => {
    const f = fake(st('ON', 'ON'), {
      tables: ['s._b_a'],
      held: [RO, SRO],
      refuse: ['SET super_read_only=OFF'],
    });
    await f.hold.holdForRecovery(tables);
    expect(f.trace).toEqual([
      'journal setting super_read_only ON->OFF',
      'journal restored super_read_only ON',
    ]);
    expect(f.hold.settings).toEqual([RO]);
    expect(f.warnings[0]).toMatch(/could not turn it OFF: refused/);
  });

  it("held already by the run's journal: kept in the journal's order", async () => {
    const f = fake(st('ON', 'ON'), { tables: ['s._b_a'], held: [SRO, RO] });
    await f.hold.holdForRecovery(tables);
    expect(f.hold.settings).toEqual([SRO, RO]);
  });
});

describe('the applier (stop / release)', () => {
  it('stop and release are idempotent; each window is counted', async () => {
    const f = fake(st('ON'));
    expect(f.hold.applier).toBe('as-found');
    expect(await f.hold.stop()).toBe(true);
    expect(await f.hold.stop()).toBe(false);
    expect(f.hold.applier).toBe('stopped');
    expect(await f.hold.release()).toBe(true);
    expect(await f.hold.release()).toBe(false);
    expect(f.hold.applier).toBe('started');
    expect(await f.hold.stop('window 2')).toBe(true);
    expect(await f.hold.release()).toBe(true);
    expect(f.trace).toEqual(['STOP', 'START', 'STOP', 'START']);
    expect(f.hold.windows).toBe(2);
    expect(f.infos).toEqual([
      'replica applier stopped',
      'replica applier started',
      'replica applier stopped: window 2',
      'replica applier started',
    ]);
  });

  it('release of an applier it found: started, and not said to be "again"', async () => {
    const f = fake(st('ON'));
    await f.hold.release('recover');
    expect(f.trace).toEqual(['START']);
    expect(f.infos).toEqual(['replica applier started']);
    expect(f.hold.windows).toBe(0);
  });

  it('release of an applier it stopped names who stopped it', async () => {
    const f = fake(st('ON'));
    await f.hold.stop('2 table(s) set aside');
    await f.hold.release('recover');
    expect(f.infos).toEqual([
      'replica applier stopped: 2 table(s) set aside',
      'replica applier started again (recover had stopped it)',
    ]);
  });

  it('a refused start leaves the applier stopped, so a release may be tried again', async () => {
    const f = fake(st('ON'), { refuse: ['START'] });
    await f.hold.stop();
    await expect(f.hold.release()).rejects.toThrow('refused');
    expect(f.hold.applier).toBe('stopped');
    expect(
      f.hold.decide({ tablesBack: true, replica: true, startReplica: false, startOwnStop: true }),
    ).toEqual({ putBack: true, startApplier: true });
  });

  it('a refused stop leaves the applier as found, and no window counted', async () => {
    const f = fake(st('ON'), { refuse: ['STOP'] });
    await expect(f.hold.stop()).rejects.toThrow('refused');
    expect(f.hold.applier).toBe('as-found');
    expect(f.hold.windows).toBe(0);
  });
});

describe('what a release does (decideRelease)', () => {
  const base: ReleaseFacts = {
    tablesBack: true,
    replica: true,
    applier: 'stopped',
    startReplica: false,
    startOwnStop: false,
  };
  it.each<[string, Partial<ReleaseFacts>, { putBack: boolean; startApplier: boolean }]>([
    [
      'a twin still holds a name: nothing',
      { tablesBack: false, startReplica: true, startOwnStop: true },
      { putBack: false, startApplier: false },
    ],
    [
      'flush, stopped, start-replica off: settings back, applier left stopped',
      {},
      { putBack: true, startApplier: false },
    ],
    [
      'flush, stopped, start-replica on: started',
      { startReplica: true },
      { putBack: true, startApplier: true },
    ],
    [
      'not a replica: never started',
      { replica: false, startReplica: true, startOwnStop: true },
      { putBack: true, startApplier: false },
    ],
    [
      'recover stopped it: started again whatever start-replica says',
      { startOwnStop: true },
      { putBack: true, startApplier: true },
    ],
    [
      'recover found it stopped (the run stopped it): only with start-replica',
      { applier: 'as-found', startOwnStop: true },
      { putBack: true, startApplier: false },
    ],
    [
      'recover found it stopped, start-replica on: started',
      { applier: 'as-found', startOwnStop: true, startReplica: true },
      { putBack: true, startApplier: true },
    ],
    [
      'started already: not again',
      { applier: 'started', startReplica: true, startOwnStop: true },
      { putBack: true, startApplier: false },
    ],
  ])('%s', (_, facts, want) => {
    expect(decideRelease({ ...base, ...facts })).toEqual(want);
  });

  it('never starts the applier while a twin holds a name, from any state', () => {
    const states: ApplierHold[] = ['as-found', 'stopped', 'started'];
    for (const applier of states)
      for (const replica of [false, true])
        for (const startReplica of [false, true])
          for (const startOwnStop of [false, true])
            expect(
              decideRelease({ tablesBack: false, replica, applier, startReplica, startOwnStop }).startApplier,
            ).toBe(false);
  });
});
