import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JOURNAL_FORMAT,
  JOURNAL_KIND,
  JournalWriter,
  backupName,
  isLeftoverName,
  parseJournal,
  readJournal,
  twinName,
  type JournalHeader,
} from '../../src/journal/journal.js';

const dir = () => mkdtempSync(join(tmpdir(), 'bf-journal-unit-'));
const header: JournalHeader = {
  type: 'header',
  kind: JOURNAL_KIND,
  format: JOURNAL_FORMAT,
  tool: 'test',
  host: 'db1',
  port: 3306,
  serverId: 7,
  serverUuid: '',
  serverVersion: '10.11',
  startedAt: '2026-01-01T00:00:00Z',
  runTag: '0a1b2c3d',
  options: {},
};
const table = (id: number, schema: string, name: string) => ({
  id,
  schema,
  table: name,
  backup: backupName('0a1b2c3d', id),
  twin: twinName('0a1b2c3d', id),
});

describe('journal write and read', () => {
  it('round-trips header, plan, steps, chunks and the end, for any identifier', async () => {
    const path = join(dir(), 'j.hashfile');
    const w = JournalWriter.create(path);
    await w.write(header);
    await w.write({
      type: 'plan',
      marker: 'm',
      tables: [table(1, 'a`b', 'c,d\ne'), table(2, 'x', 'c,d\ne')],
    });
    await Promise.all([
      w.write({ type: 'step', id: 1, step: 'set-aside', at: 't' }),
      w.write({ type: 'step', id: 2, step: 'copy', at: 't' }),
    ]);
    await w.write({ type: 'chunk', id: 2, chunk: 3, rows: 300, at: 't' });
    await w.write({ type: 'table-done', id: 1, rows: 5, at: 't' });
    await w.write({ type: 'end', status: 'flushed', at: 't' });
    w.close();
    const j = readJournal(path);
    expect(j.legacy).toBe(false);
    expect(j.header?.serverId).toBe(7);
    expect(j.tables.map((t) => [t.schema, t.table])).toEqual([
      ['a`b', 'c,d\ne'],
      ['x', 'c,d\ne'],
    ]);
    expect(j.steps.get(1)).toBe('set-aside');
    expect(j.steps.get(2)).toBe('copy');
    expect(j.chunks.get(2)).toEqual({ chunk: 3, rows: 300 });
    expect(j.done.has(1)).toBe(true);
    expect(j.end).toBe('flushed');
  });
  it('refuses to overwrite an existing journal', () => {
    const path = join(dir(), 'j.hashfile');
    writeFileSync(path, 'x');
    expect(() => JournalWriter.create(path)).toThrow(/already exists/);
  });
  it('never holds more than it is given (no secret fields)', async () => {
    const path = join(dir(), 'j.hashfile');
    const w = JournalWriter.create(path);
    await w.write(header);
    w.close();
    expect(readFileSync(path, 'utf8')).not.toMatch(/password/i);
  });
  it('tolerates a torn last line (a crash mid-append)', () => {
    const text = [
      JSON.stringify(header),
      JSON.stringify({ type: 'plan', marker: 'm', tables: [table(1, 's', 't')] }),
      '{"type":"st',
    ].join('\n');
    expect(parseJournal(text, 'j').tables).toHaveLength(1);
  });
});

describe('journal refusals', () => {
  it.each([
    ['', /is empty/],
    ['{"type":"plan"}', /header/],
    [JSON.stringify({ ...header, format: JOURNAL_FORMAT + 1 }), /newer than this version/],
    ['garbage here', /neither JSON nor an original-tool line/],
    [
      `${JSON.stringify(header)}\nnot json\n{"type":"end","status":"flushed","at":"t"}`,
      /line 2 is not valid JSON/,
    ],
    [
      `${JSON.stringify(header)}\n${JSON.stringify({ type: 'plan', marker: 'm', tables: [{ ...table(1, 's', 't'), backup: 'customers' }] })}`,
      /never creates/,
    ],
  ])('%j', (text, re) => {
    expect(() => parseJournal(text, 'j', 'db')).toThrow(re);
  });
});

describe("the original tool's hashfile", () => {
  it('reads _BKTB_n,table lines with the schema from --db', () => {
    const j = parseJournal('_BKTB_1,customers\n_BKTB_2, orders \n', 'h', 'shop');
    expect(j.legacy).toBe(true);
    expect(j.tables).toEqual([
      { id: 1, schema: 'shop', table: 'customers', backup: '_BKTB_1', twin: '' },
      { id: 2, schema: 'shop', table: 'orders', backup: '_BKTB_2', twin: '' },
    ]);
  });
  it('needs the schema', () => {
    expect(() => parseJournal('_BKTB_1,customers\n', 'h')).toThrow(/--db/);
  });
});

describe('names', () => {
  it('backup and twin names are ours and short', () => {
    expect(backupName('0a1b2c3d', 12)).toBe('_bf_0a1b2c3d_12');
    expect(twinName('0a1b2c3d', 12)).toBe('_bf_0a1b2c3d_12_tw');
    expect(isLeftoverName('_bf_0a1b2c3d_12_tw')).toBe(true);
    expect(isLeftoverName('_BKTB_3')).toBe(true);
    expect(isLeftoverName('_bf_notours')).toBe(false);
    expect(backupName('ffffffff', 999999).length).toBeLessThanOrEqual(64);
  });
});
