import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/journal/manifest.js';
import { checkRange, comparePositions, eventsText, type RangeEvent } from '../../src/verify/check.js';

const pos = (position: number, file = 'binlog.000003') => ({ file, position, gtid: '' });
const manifest: Manifest = {
  kind: 'binlog-flusher-manifest',
  format: 1,
  server: { host: 'h', port: 3306, serverId: 2, serverUuid: '', version: '10.11' },
  run: { tag: 'abcd1234', startedAt: '', status: 'flushed', ddl: 'create' },
  binlog: { start: pos(100), end: pos(900) },
  tables: [
    { schema: 's', table: 'a', rows: 3, chunks: 2, start: pos(100), end: pos(500) },
    { schema: 's', table: 'b', rows: 1, chunks: 1, start: pos(300), end: pos(900) },
  ],
};
const q = (position: number, sql: string): RangeEvent => ({
  file: 'binlog.000003',
  position,
  kind: 'query',
  sql,
});
const ins = (
  position: number,
  table: string,
  rows: number,
  op: 'insert' | 'update' | 'delete' = 'insert',
): RangeEvent => ({
  file: 'binlog.000003',
  position,
  kind: 'rows',
  op,
  schema: 's',
  table,
  rows,
});
const clean = [
  q(150, 'CREATE TABLE `s`.`a` (\n  `id` int NOT NULL\n)'),
  ins(200, 'a', 2),
  q(210, 'COMMIT'),
  q(350, 'CREATE TABLE `s`.`b` (`id` int)'),
  ins(400, 'a', 1),
  ins(600, 'b', 1),
];

describe('verify: the range against the journal', () => {
  it('a clean run verifies', () => {
    const v = checkRange(manifest, clean, true);
    expect(v.ok).toBe(true);
    expect(v.tables.map((t) => [t.table, t.expected, t.found, t.ddl])).toEqual([
      ['a', 3, 3, true],
      ['b', 1, 1, true],
    ]);
  });
  it("a replicated transaction in the range is not the run's: not counted, not foreign", () => {
    const replicated = (e: RangeEvent): RangeEvent => ({ ...e, replicated: true });
    const v = checkRange(
      manifest,
      [
        ...clean,
        replicated(ins(420, 'a', 5)),
        replicated(ins(430, 'a', 1, 'update')),
        replicated(q(440, 'ALTER TABLE s.b ADD COLUMN x INT')),
      ],
      true,
    );
    expect(v.ok).toBe(true);
    expect(v.tables.map((t) => [t.table, t.found])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
    // The same events written here would be foreign writes (or rows counted twice).
    expect(checkRange(manifest, [...clean, ins(420, 'a', 5)], true).ok).toBe(false);
  });
  it('a journal that claims one more row than the binlog holds fails', () => {
    const lying = { ...manifest, tables: [{ ...manifest.tables[0]!, rows: 4 }, manifest.tables[1]!] };
    const v = checkRange(lying, clean, true);
    expect(v.ok).toBe(false);
    expect(v.tables[0]!.problems).toEqual(['3 rows in the binlog, the journal says 4']);
  });
  it("another table's rows, an update, a delete and a foreign statement are each reported", () => {
    const v = checkRange(
      manifest,
      [
        ...clean,
        ins(700, 'other', 1),
        ins(710, 'a', 1, 'update'),
        ins(720, 'b', 1, 'delete'),
        q(730, 'DROP TABLE s.x'),
      ],
      true,
    );
    expect(v.ok).toBe(false);
    expect(v.foreign.map((f) => f.what)).toEqual([
      'insert rows of s.other',
      'update rows of s.a',
      'delete rows of s.b',
      'statement: DROP TABLE s.x',
    ]);
    expect(v.foreign[0]!.first).toBe('binlog.000003:700');
  });
  it("rows outside the table's own range, rows before its CREATE TABLE, or no CREATE TABLE at all", () => {
    const v = checkRange(
      manifest,
      [ins(200, 'a', 3), q(250, 'CREATE TABLE `s`.`a` (x)'), ins(350, 'b', 1)],
      true,
    );
    expect(v.tables[0]!.problems).toEqual(['rows before its CREATE TABLE']);
    expect(v.tables[1]!.problems).toEqual(['no CREATE TABLE']);
    const late = checkRange(manifest, [...clean.slice(0, 4), ins(600, 'a', 1), ins(600, 'b', 1)], true);
    expect(late.tables[0]!.problems).toEqual(['rows at binlog.000003:600 are outside its range']);
  });
  it('with --ddl none a CREATE TABLE is a foreign statement', () => {
    const v = checkRange(manifest, clean, false);
    expect(v.foreign.map((f) => f.what)).toEqual([
      'statement: CREATE TABLE `s`.`a` ( `id` int NOT NULL )',
      'statement: CREATE TABLE `s`.`b` (`id` int)',
    ]);
  });
  it('orders binlog files by their number, past six digits', () => {
    expect(
      comparePositions({ file: 'b.999999', position: 9 }, { file: 'b.1000000', position: 4 }),
    ).toBeLessThan(0);
    expect(
      comparePositions({ file: 'b.000002', position: 9 }, { file: 'b.000002', position: 4 }),
    ).toBeGreaterThan(0);
  });
});

describe('what a range held, in words (issue 25, finding 12)', () => {
  it('statements, row events and rows counted apart: a row event holds many rows', () => {
    expect(eventsText({ events: 7, rowEvents: 2, rows: 500 })).toBe(
      '5 statements and 2 row events (500 rows)',
    );
    expect(eventsText({ events: 2, rowEvents: 1, rows: 1 })).toBe('1 statement and 1 row event (1 row)');
    expect(eventsText({ events: 3 })).toBe('3 statements and row events');
  });
});
