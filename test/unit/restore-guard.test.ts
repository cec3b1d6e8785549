import { describe, expect, it } from 'vitest';
import { createdByUs, dropVerdict, type OurName } from '../../src/engine/restore.js';
import { leftoversFailure } from '../../src/plan/preflight.js';
import type { LiveTable } from '../../src/inspect/set-aside.js';
import type { StepName } from '../../src/journal/journal.js';

const MARKER = 'binlog-flusher twin 0a1b2c3d';
const live = (over: Partial<LiveTable>): LiveTable => ({
  exists: true,
  engine: 'INNODB',
  comment: '',
  type: 'BASE TABLE',
  ...over,
});

describe('the guard of the one DROP', () => {
  it("takes this run's marked BLACKHOLE twin, proven or not: it holds no row", () => {
    expect(dropVerdict(live({ engine: 'BLACKHOLE', comment: MARKER }), MARKER, false)).toBe('twin');
    expect(dropVerdict(live({ engine: 'BLACKHOLE', comment: MARKER }), MARKER, true)).toBe('twin');
  });
  it('takes a table the journal proves ours, whatever its engine, only if the server then finds it empty', () => {
    for (const engine of ['INNODB', 'MYISAM', 'ARIA', 'MEMORY', 'BLACKHOLE'])
      expect(dropVerdict(live({ engine }), MARKER, true)).toBe('if-empty');
  });
  it('refuses anything else', () => {
    expect(dropVerdict(live({}), MARKER, false)).toBe('refuse');
    expect(
      dropVerdict(live({ engine: 'BLACKHOLE', comment: 'binlog-flusher twin ffffffff' }), MARKER, false),
    ).toBe('refuse');
    expect(dropVerdict(live({ engine: 'BLACKHOLE', comment: MARKER }), undefined, false)).toBe('refuse');
    expect(dropVerdict(live({ type: 'VIEW', engine: '' }), MARKER, true)).toBe('refuse');
    // A definition the server cannot open: never dropped by the tool (recover gives the DBA's steps).
    expect(dropVerdict(live({ engine: '' }), MARKER, true)).toBe('refuse');
  });
  it('has nothing to do for a name that is free', () => {
    expect(dropVerdict({ exists: false, engine: '', comment: '', type: '' }, MARKER, true)).toBe('gone');
  });
});

describe('what the journal proves the run created', () => {
  const proves = (name: OurName, steps: StepName[]) => createdByUs(name, new Set(steps));
  it('the twin under its parking name: once build-twin (or format 1: twin) was journaled', () => {
    expect(proves('twin', [])).toBe(false);
    expect(proves('twin', ['build-twin'])).toBe(true);
    expect(proves('twin', ['set-aside', 'twin'])).toBe(true);
    expect(proves('twin', ['set-aside'])).toBe(false);
  });
  it('the shell, under the real name or parked: once ddl (or format 1: twin) was journaled', () => {
    for (const name of ['shell', 'parked-shell'] as const) {
      expect(proves(name, ['build-twin', 'set-aside'])).toBe(false);
      expect(proves(name, ['build-twin', 'set-aside', 'ddl'])).toBe(true);
      expect(proves(name, ['set-aside', 'twin'])).toBe(true);
    }
    // --ddl none never creates a shell: only the twin ever holds the real name.
    expect(proves('shell', ['build-twin', 'set-aside', 'twin-in', 'copy'])).toBe(false);
  });
});

describe("preflight's refusal for an earlier run's tables", () => {
  it('sends the user to recover, never to drop a set-aside table, and says what recover leaves to the DBA', () => {
    const f = leftoversFailure([
      { schema: 's', table: '_bf_0a1b2c3d_1' },
      { schema: 's', table: '_bf_0a1b2c3d_2_tw' },
      { schema: 's', table: '_bf_0a1b2c3d_3_sh' },
    ]);
    expect(f.message).toBe(
      'tables of an earlier, unfinished run are on the server: s._bf_0a1b2c3d_1, s._bf_0a1b2c3d_2_tw, s._bf_0a1b2c3d_3_sh',
    );
    expect(f.fix).toMatch(/^run `binlog-flusher recover --hashfile <that run's journal>` first/);
    expect(f.fix).toMatch(
      /1 of them is a table set aside \(holding the real rows\): recover renames it back; never drop it/,
    );
    expect(f.fix).toMatch(
      /one it leaves \(it says why.*\), or one whose journal is lost, is yours to check and drop by hand/,
    );
  });
  it('says nothing of dropping when every leftover is a set-aside table', () => {
    const f = leftoversFailure([{ schema: 's', table: '_bf_0a1b2c3d_1' }]);
    expect(f.fix).not.toMatch(/drop it by hand|drop by hand/);
  });
});
