/**
 * Every kind of journal record is checked against its shape when the journal is read: a good one is
 * taken, one with a field missing or of the wrong type is refused, naming its kind, its line and the
 * field; a record of a type binlog-flusher never writes is refused by its type and line.
 */
import { describe, expect, it } from 'vitest';
import { JOURNAL_FORMAT, JOURNAL_KIND, parseJournal, type JournalRecord } from '../../src/journal/journal.js';
import { backupName, twinName } from '../../src/model/table-names.js';

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
const at = 'x';
const pos = { file: 'bin.000001', position: 400, gtid: '0-1-5' };
const chunkPlan = {
  type: 'chunk-plan',
  id: 1,
  at,
  plan: { kind: 'cuts', cuts: [['0A']] },
  columns: 'c',
  key: { index: 'PRIMARY', columns: ['id'] },
  binlog: pos,
  done: [0],
  rowsBefore: 5,
};

interface Row {
  good: Record<string, unknown>;
  /** A field the kind cannot do without. */
  missing: string;
  /** A field given a value of the wrong type, and the field the refusal names (default: that field). */
  wrong: [field: string, value: unknown, named?: string];
  /** Records it needs before it (after the header and the plan). */
  before?: object[];
}

// A Record over every record type: the compiler names a kind that has no row.
const rows: Record<JournalRecord['type'], Row> = {
  header: { good: header, missing: 'host', wrong: ['port', '3306'] },
  plan: { good: plan, missing: 'marker', wrong: ['tables', 'd.t'] },
  step: { good: { type: 'step', id: 1, step: 'copy', at }, missing: 'step', wrong: ['id', '1'] },
  chunk: {
    good: { type: 'chunk', id: 1, chunk: 1, rows: 10, at, gtids: ['0-1-6'], acks: [{ seq: 0, rows: 10 }] },
    missing: 'rows',
    wrong: ['acks', [{ seq: 0, rows: '10' }], 'acks[0].rows'],
  },
  'chunk-plan': {
    good: chunkPlan,
    missing: 'columns',
    wrong: ['binlog', { ...pos, position: '400' }, 'binlog.position'],
  },
  'chunk-cut': {
    good: { type: 'chunk-cut', id: 1, seq: 0, cut: ['0A'], at },
    missing: 'cut',
    wrong: ['cut', [10], 'cut[0]'],
    before: [{ ...chunkPlan, plan: { kind: 'walk', step: 100, cuts: [] }, done: undefined }],
  },
  'done-before': {
    good: { type: 'done-before', tables: [{ schema: 'd', table: 'u' }], at },
    missing: 'tables',
    wrong: ['tables', [{ schema: 'd', table: 2 }], 'tables[0].table'],
  },
  'chunk-sent': { good: { type: 'chunk-sent', id: 1, seq: 0, at }, missing: 'seq', wrong: ['id', null] },
  'table-done': {
    good: { type: 'table-done', id: 1, at, rows: 10, chunks: 1, binlog: { start: pos, end: pos } },
    missing: 'rows',
    wrong: ['binlog', { start: pos }, 'binlog.end'],
  },
  'table-partial': {
    good: {
      type: 'table-partial',
      id: 1,
      at,
      rows: 10,
      chunks: 1,
      binlog: { start: pos, end: pos },
      inDoubt: 1,
    },
    missing: 'at',
    wrong: ['inDoubt', 'one'],
  },
  binlog: {
    good: { type: 'binlog', edge: 'end', at, position: pos, gtids: '0-1-5' },
    missing: 'position',
    wrong: ['gtids', ['0-1-5']],
  },
  end: {
    good: { type: 'end', status: 'recovered', at, binlog: pos },
    missing: 'status',
    wrong: ['status', 'done'],
  },
  recover: {
    good: { type: 'recover', id: 1, outcome: 'already-restored', at },
    missing: 'outcome',
    wrong: ['id', 'one'],
  },
  control: {
    good: { type: 'control', command: 'pause', answer: 'paused', at },
    missing: 'answer',
    wrong: ['command', 5],
  },
  setting: {
    good: { type: 'setting', name: 'read_only', from: 'OFF', to: 'ON', at },
    missing: 'from',
    wrong: ['name', 'sql_mode'],
  },
  'setting-restored': {
    good: { type: 'setting-restored', name: 'read_only', value: 'OFF', at },
    missing: 'value',
    wrong: ['name', 1],
  },
  window: {
    good: { type: 'window', event: 'open', n: 1, at, binlog: pos },
    missing: 'event',
    wrong: ['binlog', { file: 'f' }, 'binlog.position'],
    before: [{ type: 'window', event: 'caught-up', n: 0, at, lag: 0 }],
  },
};

/** The journal with `rec` in its place, and the line it is on. */
function journalWith(type: string, row: Row, rec: object): { text: string; line: number } {
  const recs =
    type === 'header'
      ? [rec, plan]
      : type === 'plan'
        ? [header, rec]
        : [header, plan, ...(row.before ?? []), rec];
  return { text: recs.map((r) => JSON.stringify(r)).join('\n'), line: recs.indexOf(rec) + 1 };
}

const refusal = (type: string, line: number, field: string) =>
  `line ${line}: a ${type === 'chunk-plan' ? 'chunk plan' : `${type} record`} binlog-flusher never writes (field ${field})`;

describe('every record kind is checked against its shape', () => {
  it.each(Object.entries(rows))('%s: a good record is read', (type, row) => {
    const { text } = journalWith(type, row, row.good);
    expect(() => parseJournal(text, 'j')).not.toThrow();
  });

  it.each(Object.entries(rows))('%s: a missing field is refused by kind, line and field', (type, row) => {
    const rec: Record<string, unknown> = { ...row.good };
    delete rec[row.missing];
    const { text, line } = journalWith(type, row, rec);
    expect(() => parseJournal(text, 'j')).toThrow(refusal(type, line, row.missing));
  });

  it.each(Object.entries(rows))(
    '%s: a field of the wrong type is refused by kind, line and field',
    (type, row) => {
      const [field, value, named = field] = row.wrong;
      const { text, line } = journalWith(type, row, { ...row.good, [field]: value });
      expect(() => parseJournal(text, 'j')).toThrow(refusal(type, line, named));
    },
  );

  it('a good record is read into its table: the chunk record acknowledges its chunk', () => {
    const { text } = journalWith('chunk', rows.chunk, rows.chunk.good);
    const j = parseJournal(text, 'j');
    expect(j.byTable.get(1)).toMatchObject({ chunk: { chunk: 1, rows: 10 }, gtids: ['0-1-6'] });
    expect([...j.byTable.get(1)!.acked]).toEqual([[0, 10]]);
  });

  it.each([
    [{ type: 'chunk-done', id: 1, at }, 'line 3: unknown record type "chunk-done"'],
    [header, 'line 3: unknown record type "header"'],
    [{ type: 'toString', at }, 'line 3: unknown record type "toString"'],
  ])('a record of a type binlog-flusher never writes is refused by type and line: %j', (rec, message) => {
    const text = [header, plan, rec].map((r) => JSON.stringify(r)).join('\n');
    expect(() => parseJournal(text, 'j')).toThrow(message);
  });
});
