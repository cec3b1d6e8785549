import { describe, expect, it } from 'vitest';
import {
  afterParked,
  decideRestore,
  parkedCandidates,
  type RestoreAction,
  type RestoreDecision,
  type RestoreEntry,
  type RestoreFact,
  type RestoreFacts,
  type RestoreOutcome,
  type RestoreView,
} from '../../src/engine/restore-decide.js';
import type { LiveTable } from '../../src/inspect/set-aside.js';
import type { StepName } from '../../src/journal/journal.js';

const MARKER = 'binlog-flusher twin 0a1b2c3d';
const ENTRY: RestoreEntry = {
  schema: 's',
  table: 't',
  backup: '_bf_0a1b2c3d_7',
  twin: '_bf_0a1b2c3d_7_tw',
  columns: 'c1',
};
const LEGACY: RestoreEntry = { schema: 's', table: 't', backup: '_BKTB_1', twin: '' };

const gone: LiveTable = { exists: false, engine: '', comment: '', type: '' };
const innodb: LiveTable = { exists: true, engine: 'INNODB', comment: '', type: 'BASE TABLE' };
const ourTwin: LiveTable = { exists: true, engine: 'BLACKHOLE', comment: MARKER, type: 'BASE TABLE' };
const otherTwin: LiveTable = { ...ourTwin, comment: 'binlog-flusher twin ffffffff' };
const plainBlackhole: LiveTable = { ...ourTwin, comment: '' };
const noEngine: LiveTable = {
  exists: true,
  engine: '',
  comment: "Table 's.t' doesn't exist in engine",
  type: 'BASE TABLE',
};
const view: LiveTable = { exists: true, engine: '', comment: 'VIEW', type: 'VIEW' };

type Known = Omit<RestoreFacts, 'table' | 'backup'>;

/** Runs the decider as the executor does, answering each read from `known`; returns the reads it asked. */
function settle(
  e: RestoreEntry,
  v: RestoreView,
  table: LiveTable,
  backup: LiveTable,
  known: Known,
): { decision: Extract<RestoreDecision, { kind: 'act' }>; reads: RestoreFact[] } {
  const facts: RestoreFacts = { table, backup };
  const reads: RestoreFact[] = [];
  for (let i = 0; i < 10; i++) {
    const d = decideRestore(e, v, facts);
    if (d.kind === 'act') return { decision: d, reads };
    if (reads.includes(d.fact)) throw new Error(`asked twice for ${d.fact}`);
    if (!(d.fact in known)) throw new Error(`asked for ${d.fact}, which the row does not give`);
    reads.push(d.fact);
    (facts as Record<RestoreFact, unknown>)[d.fact] = known[d.fact];
  }
  throw new Error('the decider did not settle in 10 reads');
}

const ours = (...steps: StepName[]): RestoreView => ({ marker: MARKER, seen: new Set(steps) });
const SHELL_MADE = ours('build-twin', 'set-aside', 'ddl');
const TWIN_IN = ours('build-twin', 'set-aside', 'ddl', 'twin-in', 'copy');

interface Row {
  state: string;
  e?: RestoreEntry;
  v?: RestoreView;
  table: LiveTable;
  backup: LiveTable;
  known?: Known;
  action: RestoreAction;
  outcome: RestoreOutcome;
  ok: boolean;
  clearParked: boolean;
  reads: RestoreFact[];
  detail: RegExp;
}

// Every state recover can meet for one table: the names it may find under the real name and the
// backup's, with the facts each decision needs.
const ROWS: Row[] = [
  // The backup exists: the table is set aside.
  {
    state: 'backup only, columns as journaled',
    table: gone,
    backup: innodb,
    known: { backupColumns: 'c1' },
    action: 'rename-back',
    outcome: 'renamed-back',
    ok: true,
    clearParked: true,
    reads: ['backupColumns'],
    detail: /^s\.t renamed back from _bf_0a1b2c3d_7$/,
  },
  {
    state: 'backup only, no fingerprint journaled',
    e: { ...ENTRY, columns: undefined },
    table: gone,
    backup: innodb,
    action: 'rename-back',
    outcome: 'renamed-back',
    ok: true,
    clearParked: true,
    reads: [],
    detail: /renamed back/,
  },
  {
    state: 'backup changed by hand',
    table: gone,
    backup: innodb,
    known: { backupColumns: 'c2' },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['backupColumns'],
    detail: /other columns than when it was flushed: changed by hand since; left alone$/,
  },
  {
    state: 'our twin under the real name',
    v: TWIN_IN,
    table: ourTwin,
    backup: innodb,
    known: { backupColumns: 'c1', parkedTwin: false },
    action: 'swap-twin',
    outcome: 'twin-replaced',
    ok: true,
    clearParked: true,
    reads: ['backupColumns', 'parkedTwin'],
    detail: /^s\.t back from _bf_0a1b2c3d_7$/,
  },
  {
    state: 'our twin under the real name and something under its parking name',
    v: TWIN_IN,
    table: ourTwin,
    backup: innodb,
    known: { backupColumns: 'c1', parkedTwin: true },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['backupColumns', 'parkedTwin'],
    detail: /^s\.t, _bf_0a1b2c3d_7 and _bf_0a1b2c3d_7_tw all exist; left alone$/,
  },
  {
    state: "another run's marked twin under the real name",
    v: TWIN_IN,
    table: otherTwin,
    backup: innodb,
    known: { backupColumns: 'c1' },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['backupColumns'],
    detail: /is not our twin or shell.*compare them by hand/,
  },
  {
    state: "the original tool's twin (same columns)",
    e: LEGACY,
    v: { marker: undefined, seen: new Set() },
    table: plainBlackhole,
    backup: innodb,
    known: { sameColumns: true },
    action: 'replace-legacy-twin',
    outcome: 'twin-replaced',
    ok: true,
    clearParked: false,
    reads: ['sameColumns'],
    detail: /the original tool's twin dropped$/,
  },
  {
    state: "the original tool's name held by a BLACKHOLE of other columns",
    e: LEGACY,
    v: { marker: undefined, seen: new Set() },
    table: plainBlackhole,
    backup: innodb,
    known: { sameColumns: false },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['sameColumns'],
    detail: /compare them by hand/,
  },
  {
    state: 'our shell under the real name',
    v: SHELL_MADE,
    table: innodb,
    backup: innodb,
    known: { backupColumns: 'c1', noEngineData: false, parkedShell: false },
    action: 'swap-shell',
    outcome: 'shell-replaced',
    ok: true,
    clearParked: true,
    reads: ['backupColumns', 'noEngineData', 'parkedShell'],
    detail: /^s\.t back from _bf_0a1b2c3d_7$/,
  },
  {
    state: 'our shell under the real name, with no data in the engine',
    v: SHELL_MADE,
    table: innodb,
    backup: innodb,
    known: { backupColumns: 'c1', noEngineData: true },
    action: 'replace-data-less-shell',
    outcome: 'shell-replaced',
    ok: true,
    clearParked: true,
    reads: ['backupColumns', 'noEngineData'],
    detail: /left without data, dropped$/,
  },
  {
    state: 'our shell under the real name and another under its parking name',
    v: SHELL_MADE,
    table: innodb,
    backup: innodb,
    known: { backupColumns: 'c1', noEngineData: false, parkedShell: true },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['backupColumns', 'noEngineData', 'parkedShell'],
    detail: /all exist; left alone$/,
  },
  {
    state: 'a table under the real name the journal does not prove ours',
    v: ours('build-twin', 'set-aside'),
    table: innodb,
    backup: innodb,
    known: { backupColumns: 'c1' },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['backupColumns'],
    detail: /is not our twin or shell, and its backup _bf_0a1b2c3d_7 exists too/,
  },
  {
    state: 'a view under the real name',
    v: SHELL_MADE,
    table: view,
    backup: innodb,
    known: { backupColumns: 'c1' },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['backupColumns'],
    detail: /compare them by hand/,
  },
  {
    state: 'a definition the server cannot open under the real name (our shell)',
    v: SHELL_MADE,
    table: noEngine,
    backup: innodb,
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: [],
    detail: /cannot open s\.t \(Table 's\.t' doesn't exist in engine\).*check it holds no rows, then drop it/,
  },
  {
    state: 'a definition the server cannot open under the real name (not ours)',
    v: ours('build-twin'),
    table: noEngine,
    backup: innodb,
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: [],
    detail: /safe as s\._bf_0a1b2c3d_7\. Left alone$/,
  },
  // No backup: the table is back, or something went wrong outside the run.
  {
    state: 'in place',
    table: innodb,
    backup: gone,
    known: { openError: null },
    action: 'none',
    outcome: 'already-restored',
    ok: true,
    clearParked: true,
    reads: ['openError'],
    detail: /^s\.t in place$/,
  },
  {
    state: 'a view in place',
    table: view,
    backup: gone,
    action: 'none',
    outcome: 'already-restored',
    ok: true,
    clearParked: true,
    reads: [],
    detail: /in place/,
  },
  {
    state: 'neither name exists',
    table: gone,
    backup: gone,
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: [],
    detail: /^neither s\.t nor its backup _bf_0a1b2c3d_7 exists; left alone$/,
  },
  {
    state: 'our twin holds the name and the backup is gone',
    v: TWIN_IN,
    table: ourTwin,
    backup: gone,
    known: { openError: null },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['openError'],
    detail: /is a twin but its backup _bf_0a1b2c3d_7 is gone/,
  },
  {
    state: "the original tool's twin holds the name and the backup is gone",
    e: LEGACY,
    v: { marker: undefined, seen: new Set() },
    table: plainBlackhole,
    backup: gone,
    known: { openError: null },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['openError'],
    detail: /is a twin but its backup _BKTB_1 is gone/,
  },
  {
    state: 'unopenable under the real name, no rows of the backup in the engine',
    v: SHELL_MADE,
    table: noEngine,
    backup: gone,
    known: { backupRowsInEngine: [] },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['backupRowsInEngine'],
    detail: /cannot open s\.t .*check it holds no rows/,
  },
  {
    state: 'unopenable under the real name, the backup’s rows in the engine (half a rename)',
    table: noEngine,
    backup: gone,
    known: { backupRowsInEngine: ['s/_bf_0a1b2c3d_7#P#p0'] },
    action: 'none',
    outcome: 'engine-debris',
    ok: false,
    clearParked: false,
    reads: ['backupRowsInEngine'],
    detail:
      /rows of its backup are in the engine under s\/_bf_0a1b2c3d_7#P#p0.*rename t\.frm to _bf_0a1b2c3d_7\.frm/,
  },
  {
    state: 'information_schema shows an engine but the table does not open',
    table: innodb,
    backup: gone,
    known: { openError: 'Tablespace is missing', backupRowsInEngine: [] },
    action: 'none',
    outcome: 'not-understood',
    ok: false,
    clearParked: false,
    reads: ['openError', 'backupRowsInEngine'],
    detail: /cannot open s\.t \(Tablespace is missing\)/,
  },
];

describe('decideRestore: every state recover can meet', () => {
  it.each(ROWS)('$state', (r) => {
    const { decision, reads } = settle(r.e ?? ENTRY, r.v ?? TWIN_IN, r.table, r.backup, r.known ?? {});
    expect(decision.action).toBe(r.action);
    expect(decision.result.outcome).toBe(r.outcome);
    expect(decision.result.ok).toBe(r.ok);
    expect(decision.clearParked).toBe(r.clearParked);
    expect(reads).toEqual(r.reads);
    expect(decision.result.detail).toMatch(r.detail);
  });
});

describe('decideRestore: what it never does, over every combination', () => {
  const lives = { gone, innodb, ourTwin, otherTwin, plainBlackhole, noEngine, view };
  const views: [string, RestoreView][] = [
    ['no steps', ours()],
    ['twin built', ours('build-twin', 'set-aside')],
    ['shell made', SHELL_MADE],
    ['twin in', TWIN_IN],
    ['format 1', ours('set-aside', 'twin')],
    ['original tool', { marker: undefined, seen: new Set() }],
  ];
  const answers: Known[] = [
    {
      openError: null,
      backupColumns: 'c1',
      sameColumns: true,
      parkedTwin: false,
      parkedShell: false,
      noEngineData: false,
      backupRowsInEngine: [],
    },
    {
      openError: 'x',
      backupColumns: 'c2',
      sameColumns: false,
      parkedTwin: true,
      parkedShell: true,
      noEngineData: true,
      backupRowsInEngine: ['s/t#P#p0'],
    },
  ];
  const cases = Object.entries(lives).flatMap(([tn, table]) =>
    Object.entries(lives).flatMap(([bn, backup]) =>
      views.flatMap(([vn, v]) =>
        [ENTRY, LEGACY].flatMap((e) =>
          answers.map((known, k) => ({ tn, table, bn, backup, vn, v, e, known, k })),
        ),
      ),
    ),
  );

  it(`settles in at most 3 reads, never asking twice (${cases.length} combinations)`, () => {
    for (const c of cases) {
      const { reads } = settle(c.e, c.v, c.table, c.backup, c.known);
      expect(reads.length, `${c.tn}/${c.bn}/${c.vn}/${c.e.twin}/${c.k}`).toBeLessThanOrEqual(3);
    }
  });

  it('changes nothing unless the backup exists, and never swaps a table that is not ours', () => {
    for (const c of cases) {
      const { decision: d } = settle(c.e, c.v, c.table, c.backup, c.known);
      const at = `${c.tn}/${c.bn}/${c.vn}/${c.e.twin}/${c.k}`;
      if (!c.backup.exists) expect(d.action, at).toBe('none');
      if (d.action === 'rename-back') expect(c.table.exists, at).toBe(false);
      if (d.action === 'swap-twin') expect(c.table, at).toBe(ourTwin);
      if (d.action === 'swap-shell' || d.action === 'replace-data-less-shell') {
        expect(c.v.seen.has('ddl') || c.v.seen.has('twin'), at).toBe(true);
        expect(c.table.engine, at).not.toBe('BLACKHOLE');
      }
      if (d.action === 'replace-legacy-twin') {
        expect(c.v.marker, at).toBeUndefined();
        expect(c.known.sameColumns, at).toBe(true);
      }
      if (d.action !== 'none' && c.e.columns) expect(c.known.backupColumns, at).toBe(c.e.columns);
      if (!d.result.ok) expect(d.action, at).toBe('none');
    }
  });
});

describe('afterParked: the report once the parked debris met the drop guard', () => {
  const inPlace = { outcome: 'already-restored' as const, ok: true, detail: 's.t in place' };
  const renamed = {
    outcome: 'renamed-back' as const,
    ok: true,
    detail: 's.t renamed back from _bf_0a1b2c3d_7',
  };
  it('is the report unchanged when nothing was parked', () => {
    expect(afterParked(inPlace, 's', [], [])).toEqual(inPlace);
  });
  it('says what it dropped; a table in place with its debris dropped is parked-twin-dropped', () => {
    expect(afterParked(inPlace, 's', ['_bf_0a1b2c3d_7_tw', '_bf_0a1b2c3d_7_sh'], [])).toEqual({
      outcome: 'parked-twin-dropped',
      ok: true,
      detail: 's.t in place; dropped s._bf_0a1b2c3d_7_tw and s._bf_0a1b2c3d_7_sh (ours, empty)',
    });
    expect(afterParked(renamed, 's', ['_bf_0a1b2c3d_7_tw'], []).outcome).toBe('renamed-back');
  });
  it('names what the guard refused, with why and the statement for the DBA; the table stays ok', () => {
    const r = afterParked(
      renamed,
      's',
      [],
      [{ table: { schema: 's', table: '_bf_0a1b2c3d_7_sh' }, why: 'it holds rows' }],
    );
    expect(r.outcome).toBe('debris-left');
    expect(r.ok).toBe(true);
    expect(r.detail).toBe(
      's.t renamed back from _bf_0a1b2c3d_7, but s._bf_0a1b2c3d_7_sh is not ours to drop; left alone: it holds rows ' +
        '(check it, then drop it by hand: SET sql_log_bin = 0; DROP TABLE `s`.`_bf_0a1b2c3d_7_sh`)',
    );
  });
  it('offers the guard the twin and the shell, proven by the journal, and nothing for the original tool', () => {
    expect(parkedCandidates(ENTRY, new Set(['build-twin']))).toEqual([
      { schema: 's', table: '_bf_0a1b2c3d_7_tw', proven: true },
      { schema: 's', table: '_bf_0a1b2c3d_7_sh', proven: false },
    ]);
    expect(parkedCandidates(LEGACY, new Set(['build-twin', 'ddl']))).toEqual([]);
  });
});
