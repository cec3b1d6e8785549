/**
 * What a run changes of read_only / super_read_only, and how it puts them back: every state the
 * server can be in at put-back time, for each change a run (or recover) journals. The server's rule
 * (MySQL): super_read_only=ON forces read_only ON; read_only=OFF forces super_read_only OFF; so
 * (read_only OFF, super_read_only ON) never exists.
 */
import { describe, expect, it } from 'vitest';
import {
  decidePutBack,
  describeSetting,
  holdChanges,
  type SettingChange,
} from '../../src/engine/server-settings.js';
import type { ReadOnlyState } from '../../src/inspect/server.js';

const RO: SettingChange = { name: 'read_only', from: 'OFF', to: 'ON' };
const SRO: SettingChange = { name: 'super_read_only', from: 'ON', to: 'OFF' };
const st = (ro: 'ON' | 'OFF', sro?: 'ON' | 'OFF'): ReadOnlyState =>
  sro === undefined ? { read_only: ro } : { read_only: ro, super_read_only: sro };

/** The server's own rule, to check that a decision never asks for a state it would refuse or bend. */
function apply(now: ReadOnlyState, steps: { name: string; value: 'ON' | 'OFF' }[]): ReadOnlyState {
  const s = { ...now };
  for (const x of steps) {
    if (x.name === 'read_only') {
      s.read_only = x.value;
      if (x.value === 'OFF' && s.super_read_only) s.super_read_only = 'OFF';
    } else {
      s.super_read_only = x.value;
      if (x.value === 'ON') s.read_only = 'ON';
    }
  }
  return s;
}

describe('what the run changes (holdChanges)', () => {
  it.each([
    ['MariaDB, read_only OFF: read_only turned ON', st('OFF'), [RO]],
    ['MariaDB, read_only ON: nothing', st('ON'), []],
    ['MySQL, both OFF: read_only turned ON', st('OFF', 'OFF'), [RO]],
    ['MySQL, read_only ON only: nothing', st('ON', 'OFF'), []],
    ['MySQL, super_read_only ON: it alone turned OFF, read_only stays ON', st('ON', 'ON'), [SRO]],
  ])('%s', (_, now, want) => {
    expect(holdChanges(now)).toEqual(want);
  });
});

describe('putting back (decidePutBack)', () => {
  it.each<
    [string, SettingChange[], ReadOnlyState, { steps: object[]; outcomes: string[]; end: ReadOnlyState }]
  >([
    [
      'read_only as the run left it: back OFF',
      [RO],
      st('ON', 'OFF'),
      { steps: [{ name: 'read_only', value: 'OFF' }], outcomes: ['restored'], end: st('OFF', 'OFF') },
    ],
    [
      'read_only on MariaDB (no super_read_only): back OFF',
      [RO],
      st('ON'),
      { steps: [{ name: 'read_only', value: 'OFF' }], outcomes: ['restored'], end: st('OFF') },
    ],
    [
      'read_only already OFF: nothing',
      [RO],
      st('OFF', 'OFF'),
      { steps: [], outcomes: ['already'], end: st('OFF', 'OFF') },
    ],
    [
      'read_only held, super_read_only turned ON by someone since: read_only left ON (OFF would undo it)',
      [RO],
      st('ON', 'ON'),
      { steps: [], outcomes: ['changed'], end: st('ON', 'ON') },
    ],
    [
      'super_read_only as the run left it: back ON',
      [SRO],
      st('ON', 'OFF'),
      {
        steps: [{ name: 'super_read_only', value: 'ON' }],
        outcomes: ['restored'],
        end: st('ON', 'ON'),
      },
    ],
    [
      'super_read_only already ON: nothing',
      [SRO],
      st('ON', 'ON'),
      { steps: [], outcomes: ['already'], end: st('ON', 'ON') },
    ],
    [
      'super_read_only held, read_only turned OFF by someone since (a promotion): left OFF',
      [SRO],
      st('OFF', 'OFF'),
      { steps: [], outcomes: ['changed'], end: st('OFF', 'OFF') },
    ],
    [
      'super_read_only held on a server that has none now: left, reported',
      [SRO],
      st('ON'),
      { steps: [], outcomes: ['changed'], end: st('ON') },
    ],
    [
      // A flush that turned read_only ON, then a recover (after a restart with super_read_only in the
      // option file) that turned super_read_only OFF: the fence someone set wins over read_only OFF.
      'both held (run: read_only ON; recover: super_read_only OFF): super_read_only back ON, read_only left ON',
      [RO, SRO],
      st('ON', 'OFF'),
      {
        steps: [{ name: 'super_read_only', value: 'ON' }],
        outcomes: ['changed', 'restored'],
        end: st('ON', 'ON'),
      },
    ],
    [
      'both held, the other order in the journal: the same decision',
      [SRO, RO],
      st('ON', 'OFF'),
      {
        steps: [{ name: 'super_read_only', value: 'ON' }],
        outcomes: ['restored', 'changed'],
        end: st('ON', 'ON'),
      },
    ],
    [
      'both held, super_read_only back ON already: read_only left ON',
      [RO, SRO],
      st('ON', 'ON'),
      { steps: [], outcomes: ['changed', 'already'], end: st('ON', 'ON') },
    ],
    [
      'both held, both OFF now: read_only already back, super_read_only left OFF',
      [RO, SRO],
      st('OFF', 'OFF'),
      { steps: [], outcomes: ['already', 'changed'], end: st('OFF', 'OFF') },
    ],
    ['nothing held: nothing', [], st('ON', 'ON'), { steps: [], outcomes: [], end: st('ON', 'ON') }],
  ])('%s', (_, changed, now, want) => {
    const d = decidePutBack(changed, now);
    expect(d.steps).toEqual(want.steps);
    expect(d.reports.map((r) => r.outcome)).toEqual(want.outcomes);
    expect(apply(now, d.steps)).toEqual(want.end);
    for (const r of d.reports) if (r.outcome === 'changed') expect(r.why).toBeTruthy();
  });

  it('never asks for a state the server would bend, from any reachable state and any set of changes', () => {
    const states = [st('OFF'), st('ON'), st('OFF', 'OFF'), st('ON', 'OFF'), st('ON', 'ON')];
    const sets = [[], [RO], [SRO], [RO, SRO], [SRO, RO]];
    for (const now of states)
      for (const changed of sets) {
        const d = decidePutBack(changed, now);
        // No statement moves the other switch as a side effect: the order is right.
        let s = { ...now };
        for (const step of d.steps) {
          const next = apply(s, [step]);
          const other = step.name === 'read_only' ? 'super_read_only' : 'read_only';
          expect(next[other], JSON.stringify({ now, changed, step })).toBe(s[other]);
          s = next;
        }
        // What it says was restored is at its old value at the end; what it left is untouched.
        for (const r of d.reports) {
          if (r.outcome === 'restored') expect(s[r.name]).toBe(r.from);
          else expect(s[r.name]).toBe(now[r.name]);
        }
      }
  });

  it('says why a setting was left as it is', () => {
    const [r] = decidePutBack([SRO], st('OFF', 'OFF')).reports;
    expect(describeSetting(r!)).toBe(
      'super_read_only: turned OFF for the run, not put back to ON: read_only was turned OFF by someone since, and putting super_read_only back to ON would turn read_only ON again; left as it is',
    );
    expect(describeSetting({ ...SRO, outcome: 'restored' })).toBe(
      'super_read_only: turned OFF for the run, back to ON',
    );
    expect(describeSetting({ ...SRO, outcome: 'held' })).toBe(
      'super_read_only: turned OFF for the run; still OFF (recover puts it back to ON)',
    );
  });
});
