import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  JOURNAL_FORMAT,
  JOURNAL_KIND,
  JournalWriter,
  parseJournal,
  readJournal,
  type JournalHeader,
} from '../../src/journal/journal.js';
import { backupName, isLeftoverName, shellName, twinName } from '../../src/model/table-names.js';
import { FileLockBusyError, lockFile } from '../../src/journal/file-lock.js';
import { buildManifest, manifestPath, writeManifest } from '../../src/journal/manifest.js';
import { tempDir } from '../support/temp.js';

const dir = () => tempDir('bf-journal-unit-');
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
    const w = await JournalWriter.create(path, [
      header,
      { type: 'plan', marker: 'm', tables: [table(1, 'a`b', 'c,d\ne'), table(2, 'x', 'c,d\ne')] },
    ]);
    await Promise.all([
      w.write({ type: 'step', id: 1, step: 'set-aside', at: 't' }),
      w.write({ type: 'step', id: 2, step: 'copy', at: 't' }),
    ]);
    await w.write({ type: 'chunk', id: 2, chunk: 3, rows: 300, at: 't' });
    await w.write({ type: 'table-done', id: 1, rows: 5, at: 't' });
    await w.write({ type: 'end', status: 'flushed', at: 't' });
    await w.close();
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
  it('refuses to overwrite an existing journal', async () => {
    const path = join(dir(), 'j.hashfile');
    writeFileSync(path, 'x');
    await expect(JournalWriter.create(path, [header])).rejects.toThrow(/already exists/);
    expect(readFileSync(path, 'utf8')).toBe('x');
  });
  it('keeps the settings changed and not put back yet: read_only and super_read_only', () => {
    const lines = [
      header,
      { type: 'plan', marker: 'm', tables: [table(1, 's', 't')] },
      { type: 'setting', name: 'read_only', from: 'OFF', to: 'ON', at: 't' },
      { type: 'setting', name: 'super_read_only', from: 'ON', to: 'OFF', at: 't' },
    ];
    const j = parseJournal(lines.map((l) => JSON.stringify(l)).join('\n'), 'j');
    expect([...j.settings]).toEqual([
      ['read_only', { from: 'OFF', to: 'ON' }],
      ['super_read_only', { from: 'ON', to: 'OFF' }],
    ]);
    const back = { type: 'setting-restored', name: 'super_read_only', value: 'ON', at: 't' };
    const later = parseJournal([...lines, back].map((l) => JSON.stringify(l)).join('\n'), 'j');
    expect([...later.settings.keys()]).toEqual(['read_only']);
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

describe('the manifest', () => {
  it("is built from the journal alone: the run's range and each finished table's range, rows and chunks", async () => {
    const path = join(dir(), 'j.hashfile');
    const at = (position: number, gtid = '0-1-5') => ({ file: 'binlog.000002', position, gtid });
    const w = await JournalWriter.create(path, [
      { ...header, options: { ddl: 'create' } },
      { type: 'plan', marker: 'm', tables: [table(1, 's', 'a'), table(2, 's', 'b')] },
    ]);
    await w.write({ type: 'binlog', edge: 'start', at: 't', position: at(100) });
    await w.write({
      type: 'table-done',
      id: 2,
      at: 't',
      rows: 7,
      chunks: 2,
      binlog: { start: at(100), end: at(400, '0-2-7') },
    });
    await w.write({ type: 'binlog', edge: 'end', at: 't', position: at(500, '0-2-9') });
    await w.write({ type: 'end', status: 'failed-restored', at: 't' });
    await w.close();
    const m = buildManifest(readJournal(path));
    expect(m.kind).toBe('binlog-flusher-manifest');
    expect(m.run).toEqual({
      tag: '0a1b2c3d',
      startedAt: header.startedAt,
      status: 'failed-restored',
      ddl: 'create',
    });
    expect(m.binlog).toEqual({ start: at(100), end: at(500, '0-2-9') });
    expect(m.tables).toEqual([
      { schema: 's', table: 'b', rows: 7, chunks: 2, start: at(100), end: at(400, '0-2-7') },
    ]);
    const file = manifestPath(path);
    writeManifest(file, m);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(m);
  });
  it("issue 25, finding 9: a run that died and recover finished ends where recover found the binlog; its account is the table's", async () => {
    const path = join(dir(), 'j.hashfile');
    const at = (position: number, gtid = '0-1-5') => ({ file: 'binlog.000002', position, gtid });
    const w = await JournalWriter.create(path, [
      { ...header, options: { ddl: 'create' } },
      { type: 'plan', marker: 'm', tables: [table(1, 's', 'a')] },
    ]);
    await w.write({ type: 'binlog', edge: 'start', at: 't', position: at(100) });
    await w.write({ type: 'chunk', id: 1, chunk: 4, rows: 2000, at: 't' });
    // recover, after the kill: the table's account as the binlog holds it, then its end record.
    await w.write({
      type: 'table-partial',
      id: 1,
      at: 't',
      rows: 2800,
      chunks: 6,
      binlog: { start: at(100), end: at(900) },
    });
    await w.write({ type: 'end', status: 'recovered', at: 't', binlog: at(900) });
    await w.close();
    const m = buildManifest(readJournal(path));
    expect(m.run).toMatchObject({ status: 'recovered', ended: 'recovered' });
    expect(m.binlog).toEqual({ start: at(100), end: at(900) });
    expect(m.tables).toEqual([
      expect.objectContaining({ table: 'a', rows: 2800, chunks: 6, partial: true, rowsAre: 'exact' }),
    ]);
  });
  it('refuses a binlog record it never writes', () => {
    const text = [
      JSON.stringify(header),
      JSON.stringify({ type: 'plan', marker: 'm', tables: [table(1, 's', 't')] }),
      JSON.stringify({
        type: 'binlog',
        edge: 'middle',
        at: 't',
        position: { file: 'f', position: 1, gtid: '' },
      }),
    ].join('\n');
    expect(() => parseJournal(text, 'j')).toThrow(/a binlog record binlog-flusher never writes/);
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
    [
      `${JSON.stringify(header)}\n${JSON.stringify({ type: 'setting', name: 'sql_mode', from: 'ON', to: 'OFF', at: 't' })}`,
      /line 2: a setting record binlog-flusher never writes/,
    ],
    [
      `${JSON.stringify(header)}\n${JSON.stringify({ type: 'setting', name: 'super_read_only', from: 'ON', to: 'maybe', at: 't' })}`,
      /line 2: a setting record binlog-flusher never writes/,
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
  it("derives the shell's parking name from the twin's, just as long, and counts it as a leftover", () => {
    expect(shellName(twinName('0a1b2c3d', 12))).toBe('_bf_0a1b2c3d_12_sh');
    expect(shellName(twinName('ffffffff', 999999)).length).toBe(twinName('ffffffff', 999999).length);
    expect(isLeftoverName('_bf_0a1b2c3d_12_sh')).toBe(true);
    expect(isLeftoverName('_bf_0a1b2c3d_sh')).toBe(false);
    expect(() => shellName('_bf_0a1b2c3d_12')).toThrow(/not a twin name/);
  });
  it('keeps every step begun per table, and reads a format 1 journal (step twin) the same way', () => {
    const lines = (format: number, steps: string[]) =>
      [
        JSON.stringify({ ...header, format }),
        JSON.stringify({ type: 'plan', marker: 'm', tables: [table(1, 's', 't')] }),
        ...steps.map((step) => JSON.stringify({ type: 'step', id: 1, step, at: 't' })),
      ].join('\n');
    const now = parseJournal(
      lines(2, ['build-twin', 'set-aside', 'ddl', 'twin-in', 'drop-shell', 'copy']),
      'j',
    );
    expect([...now.seen.get(1)!]).toEqual([
      'build-twin',
      'set-aside',
      'ddl',
      'twin-in',
      'drop-shell',
      'copy',
    ]);
    expect(now.steps.get(1)).toBe('copy');
    const old = parseJournal(lines(1, ['set-aside', 'twin', 'copy']), 'j');
    expect([...old.seen.get(1)!]).toEqual(['set-aside', 'twin', 'copy']);
    expect(old.seen.get(2)).toBeUndefined();
  });
});

describe('one writer per journal', () => {
  const plan = { type: 'plan' as const, marker: 'm', tables: [table(1, 's', 't')] };

  it('appears whole or not at all: no temporary file is left, and the header and plan are there', async () => {
    const d = dir();
    const path = join(d, 'j.hashfile');
    const w = await JournalWriter.create(path, [header, plan]);
    await w.close();
    expect(readdirSync(d)).toEqual(['j.hashfile']);
    expect(readJournal(path).tables).toHaveLength(1);
  });

  it('a second writer is refused while the first holds the journal, and admitted once it closes', async () => {
    const path = join(dir(), 'j.hashfile');
    const w = await JournalWriter.create(path, [header, plan]);
    await expect(JournalWriter.append(path, 0)).rejects.toThrow(
      /is being written by another binlog-flusher process/,
    );
    await w.close();
    const again = await JournalWriter.append(path, 5);
    await again.close();
  });

  it('a second writer in another process is refused too (an OS lock, not a flag in memory)', async () => {
    const path = join(dir(), 'j.hashfile');
    const w = await JournalWriter.create(path, [header, plan]);
    try {
      const r = spawnSync('flock', ['--nonblock', '--conflict-exit-code', '75', path, 'true']);
      expect(r.status).toBe(75);
    } finally {
      await w.close();
    }
    // flock waits (up to 5 s) for the lock the closed writer let go of.
    expect(spawnSync('flock', ['--wait', '5', path, 'true']).status).toBe(0);
  });

  it('the lock goes with a writer that is killed', async () => {
    const path = join(dir(), 'j.hashfile');
    await (await JournalWriter.create(path, [header, plan])).close();
    const code = `
      const { JournalWriter } = await import(${JSON.stringify(new URL('../../src/journal/journal.ts', import.meta.url).href)});
      await JournalWriter.append(${JSON.stringify(path)}, 0);
      console.log('holding');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((res) => child.stdout.on('data', (b: Buffer) => b.includes('holding') && res()));
    await expect(JournalWriter.append(path, 0)).rejects.toThrow(/another binlog-flusher process/);
    child.kill('SIGKILL');
    const w = await JournalWriter.append(path, 5);
    await w.close();
  });

  it('cuts a torn last record before appending, so the next reader sees only whole records', async () => {
    const path = join(dir(), 'j.hashfile');
    await (await JournalWriter.create(path, [header, plan])).close();
    appendFileSync(path, '{"type":"step","id":1,"st');
    const w = await JournalWriter.append(path, 0);
    expect(w.trimmed).toBe('{"type":"step","id":1,"st'.length);
    await w.write({ type: 'recover', id: 1, outcome: 'already-restored', at: 't' });
    await w.close();
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).type),
    ).toEqual(['header', 'plan', 'recover']);
    // Nothing torn: the next writer trims nothing.
    const again = await JournalWriter.append(path, 0);
    expect(again.trimmed).toBe(0);
    await again.close();
  });

  it('the fallback lock file (where no flock command exists) refuses a live owner and takes over a dead one', async () => {
    const path = join(dir(), 'j.hashfile');
    writeFileSync(path, '');
    const first = await lockFile(path, 0, { helper: 'lockfile' });
    await expect(lockFile(path, 0, { helper: 'lockfile' })).rejects.toBeInstanceOf(FileLockBusyError);
    await first.release();
    writeFileSync(`${path}.lock`, `999999999@${hostname()}`); // a pid that is not running
    const taken = await lockFile(path, 0, { helper: 'lockfile' });
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid}@${hostname()}`);
    await taken.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});

describe('the tail of a journal', () => {
  it('a complete last record without its newline (written by hand) is kept, and the next record starts a new line', async () => {
    const path = join(dir(), 'j.hashfile');
    writeFileSync(
      path,
      `${JSON.stringify(header)}\n${JSON.stringify({ type: 'plan', marker: 'm', tables: [table(1, 's', 't')] })}`,
    );
    const w = await JournalWriter.append(path, 0);
    expect(w.trimmed).toBe(0);
    await w.write({ type: 'end', status: 'recovered', at: 't' });
    await w.close();
    const j = readJournal(path);
    expect(j.tables).toHaveLength(1);
    expect(j.end).toBe('recovered');
  });
  it('a journal that is all torn text is cut to nothing', async () => {
    const path = join(dir(), 'j.hashfile');
    writeFileSync(path, '{"type":"hea');
    const w = await JournalWriter.append(path, 0);
    expect(w.trimmed).toBe(12);
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});
