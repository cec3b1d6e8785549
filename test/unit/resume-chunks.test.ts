import { describe, expect, it } from 'vitest';
import { parseJournal, type JournalRecord } from '../../src/journal/journal.js';
import { backupName, twinName } from '../../src/model/table-names.js';
import { copyPlanOf, journalChunks, journalPlan, resumePoint } from '../../src/plan/resume-chunks.js';

const header = {
  type: 'header',
  kind: 'binlog-flusher-journal',
  format: 3,
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
const pos = { file: 'bin.000001', position: 400, gtid: '' };
const lines = (recs: object[]) => recs.map((r) => JSON.stringify(r)).join('\n');
const plan = {
  type: 'plan',
  marker: 'm',
  tables: [
    { id: 1, schema: 'd', table: 't', backup: backupName('abcd0123', 1), twin: twinName('abcd0123', 1) },
  ],
};
const chunkPlan: JournalRecord = {
  type: 'chunk-plan',
  id: 1,
  at: 'x',
  plan: { kind: 'cuts', cuts: [['0A'], ['1F'], ['7C']] },
  columns: 'c',
  key: { index: 'PRIMARY', columns: ['id'] },
  binlog: pos,
};
const sent = (seq: number) => ({ type: 'chunk-sent', id: 1, seq, at: 'x' });
const ack = (seq: number, rows: number) => ({
  type: 'chunk',
  id: 1,
  chunk: 0,
  rows: 0,
  at: 'x',
  acks: [{ seq, rows }],
});

describe('chunk plans in the journal', () => {
  it('range, cuts and parts go to the journal and come back the same; a keyset lane has none', () => {
    for (const p of [
      { kind: 'range' as const, lo: -5n, hi: 18446744073709551615n, step: 1000n },
      {
        kind: 'cuts' as const,
        cuts: [
          ['1', '0A'],
          ['2', ''],
        ],
      },
      { kind: 'parts' as const, parts: ['p0', undefined] },
    ])
      expect(copyPlanOf(JSON.parse(JSON.stringify(journalPlan(p))))).toEqual(p);
    expect(journalPlan({ kind: 'keyset', step: 10 })).toBeUndefined();
  });

  it('the reader keeps the plan, the chunks sent and the ones acknowledged, after the last plan', () => {
    const j = parseJournal(lines([header, plan, chunkPlan, sent(0), sent(1), ack(0, 500), sent(2)]), 'j');
    const c = journalChunks(j, 1)!;
    expect([...c.done]).toEqual([[0, 500]]);
    expect(c.out.map((x) => x.seq)).toEqual([1, 2]);
    expect(c.ackedWithRows).toBe(1);
    expect(journalChunks(j, 2)).toBeUndefined();
  });

  it('a chunk plan or chunk-sent record the tool never writes is refused', () => {
    const bad = { ...chunkPlan, plan: { kind: 'range', lo: '1; DROP', hi: '2', step: '1' } };
    expect(() => parseJournal(lines([header, plan, bad]), 'j')).toThrow(
      /a chunk plan binlog-flusher never writes/,
    );
    expect(() => parseJournal(lines([header, plan, chunkPlan, { ...sent(0), seq: 'x' }]), 'j')).toThrow(
      /chunk-sent record/,
    );
  });

  it("recover's end position is kept, the first one only", () => {
    const end = (file: string) => ({ type: 'end', status: 'recovered', at: 'x', binlog: { ...pos, file } });
    const j = parseJournal(lines([header, plan, end('bin.000002'), end('bin.000003')]), 'j');
    expect(j.recoveredAt?.file).toBe('bin.000002');
  });
});

describe('where a resumed table continues', () => {
  const j = parseJournal(
    lines([header, plan, chunkPlan, sent(0), sent(1), sent(2), ack(0, 500), sent(3)]),
    'j',
  );
  const c = journalChunks(j, 1)!;

  it('the binlog holds no more statements than acknowledged: the chunks out are sent again', () => {
    const p = resumePoint(
      c,
      1,
      new Map([
        [1, 500],
        [2, 500],
        [3, 20],
      ]),
    );
    expect(p.done).toEqual([0]);
    expect(p.rowsBefore).toBe(500);
  });

  it('it holds one per chunk out that has rows: they all committed, with the rows they hold', () => {
    const p = resumePoint(
      c,
      4,
      new Map([
        [1, 500],
        [2, 500],
        [3, 20],
      ]),
    );
    expect(p.done).toEqual([0, 1, 2, 3]);
    expect(p.rowsBefore).toBe(1520);
  });

  it('a chunk out with no rows is done either way', () => {
    expect(
      resumePoint(
        c,
        2,
        new Map([
          [1, 500],
          [2, 0],
          [3, 0],
        ]),
      ).done,
    ).toEqual([0, 1, 2, 3]);
  });

  it('some but not all committed, or fewer statements than acknowledged: it cannot be told, and says why', () => {
    expect(() =>
      resumePoint(
        c,
        2,
        new Map([
          [1, 500],
          [2, 500],
          [3, 20],
        ]),
      ),
    ).toThrow(/1 of the 3 chunks out when the run stopped committed, and the binlog cannot say which/);
    expect(() => resumePoint(c, 0, new Map())).toThrow(/fewer than the 1 the journal acknowledged/);
  });

  it('a second resume counts the chunks of the first as done, and their rows', () => {
    const again: JournalRecord = { ...chunkPlan, done: [0, 1], rowsBefore: 1000 };
    const k = journalChunks(parseJournal(lines([header, plan, again, sent(2), ack(2, 500)]), 'j'), 1)!;
    const p = resumePoint(k, 1, new Map());
    expect(p.done).toEqual([0, 1, 2]);
    expect(p.rowsBefore).toBe(1500);
  });

  it("a walk's cuts come from its chunk-cut records: unfinished, the resume walks on after the last", () => {
    const walk: JournalRecord = { ...chunkPlan, plan: { kind: 'walk', step: 500, cuts: [] } };
    const cut = (seq: number, c: string[] | null) => ({ type: 'chunk-cut', id: 1, seq, cut: c, at: 'x' });
    const open = journalChunks(
      parseJournal(
        lines([header, plan, walk, cut(0, ['0A']), sent(0), cut(1, ['1F']), sent(1), ack(0, 500)]),
        'j',
      ),
      1,
    )!;
    expect(open.plan).toEqual({ kind: 'walk', step: 500, cuts: [['0A'], ['1F']] });
    expect(open.out.map((x) => x.seq)).toEqual([1]);
    const ended = journalChunks(
      parseJournal(lines([header, plan, walk, cut(0, ['0A']), cut(1, null)]), 'j'),
      1,
    )!;
    expect(ended.plan).toEqual({ kind: 'cuts', cuts: [['0A']] });
    // A cut out of order, or after the end, is not the tool's
    expect(() => parseJournal(lines([header, plan, walk, cut(1, ['0A'])]), 'j')).toThrow(/chunk-cut record/);
    expect(() => parseJournal(lines([header, plan, walk, cut(0, null), cut(1, ['0A'])]), 'j')).toThrow(
      /chunk-cut record/,
    );
  });

  it('a walk that found no cut sent nothing: no chunk is known (the table goes whole again)', () => {
    const walk: JournalRecord = { ...chunkPlan, plan: { kind: 'walk', step: 500, cuts: [] } };
    expect(journalChunks(parseJournal(lines([header, plan, walk]), 'j'), 1)).toBeUndefined();
    // ... unless it was resumed with chunks done before
    expect(journalChunks(parseJournal(lines([header, plan, { ...walk, done: [0] }]), 'j'), 1)).toBeDefined();
  });

  it("the tables earlier runs finished stay finished; the flush's own end is kept apart from recover's", () => {
    const j = parseJournal(
      lines([
        header,
        plan,
        { type: 'done-before', tables: [{ schema: 'd', table: 'u' }], at: 'x' },
        { type: 'end', status: 'recovery-needed', at: 'x' },
        { type: 'end', status: 'recovered', at: 'x', binlog: pos },
      ]),
      'j',
    );
    expect([...j.doneBefore]).toEqual(['d\u0000u']);
    expect(j.flushEnd).toBe('recovery-needed');
    expect(j.end).toBe('recovered');
    expect(() =>
      parseJournal(lines([header, plan, { type: 'done-before', tables: [{ schema: 1 }], at: 'x' }]), 'j'),
    ).toThrow(/done-before record/);
  });
});
