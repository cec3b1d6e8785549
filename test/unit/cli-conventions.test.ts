/**
 * Issue 25, findings 1, 2 and 4: the command line reads flags as a MySQL user means them. `-h` is the
 * host (never the help), an input given empty is refused (never "all"), and `--skip` takes
 * `schema.table` as well as schemas, on both surfaces.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { readActionSettings } from '../../src/action/inputs.js';
import { buildProgram, flushSettingsFrom, runCli } from '../../src/cli/program.js';
import type { FlushSettings } from '../../src/model/settings.js';
import { selectsTable } from '../../src/model/settings.js';
import { discover } from '../../src/plan/plan.js';
import type { TableRow } from '../../src/inspect/tables.js';

const env = { RUNNER_TEMP: '/tmp/rt', MYSQL_PWD: '' };
const dir = mkdtempSync(join(tmpdir(), 'bf-cli-conv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** An option file with a [client] section that names nothing the tests set. */
const noCnf = join(dir, 'my.cnf');
writeFileSync(noCnf, '[client]\n');

/** The flush settings the CLI builds from these flags. */
function cli(...flags: string[]): FlushSettings {
  let got: FlushSettings | undefined;
  const program = buildProgram({ env, stdout: () => undefined, stderr: () => undefined }, () => undefined);
  program.commands
    .find((c) => c.name() === 'flush')!
    .action((_o: unknown, cmd: Command) => {
      got = flushSettingsFrom(cmd, env);
    });
  program.parse(['flush', '--mycnf', noCnf, ...flags], { from: 'user' });
  return got!;
}

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('-h -P -u -S as the MySQL clients read them', () => {
  it('builds the connection from the short flags, glued or apart', () => {
    const c = cli('-h', '127.0.0.1', '-P3307', '-u', 'flusher', '--db', 'app').connection;
    expect([c.host, c.port, c.user]).toEqual(['127.0.0.1', 3307, 'flusher']);
    const s = cli('-S', '/run/mysqld/mysqld.sock', '-uroot').connection;
    expect([s.socket, s.host, s.user]).toEqual(['/run/mysqld/mysqld.sock', 'localhost', 'root']);
  });

  it('`flush -h HOST` connects (here: refused) instead of printing the help and exiting 0', async () => {
    const r = await run([
      'flush',
      '--mycnf',
      noCnf,
      '-h',
      '127.0.0.1',
      '-P',
      '1',
      '-u',
      'flusher',
      '--db',
      'app',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/Usage:/);
    expect(r.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1 as flusher: connection refused/);
  });

  it.each([['-p'], ['-psecret-pw'], ['-p', 'secret-pw'], ['--password=secret-pw']])(
    '%s is refused with its reason, the value never echoed',
    async (...flag) => {
      const r = await run(['flush', '--mycnf', noCnf, '-h', 'db1', ...flag]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/-p\/--password: is not accepted on the command line .* MYSQL_PWD/);
      expect(r.stdout + r.stderr).not.toContain('secret-pw');
    },
  );
});

describe('an input given empty is refused, never read as "every schema"', () => {
  it.each([
    ['--db', /--db: is empty; name at least one schema, or leave --db out/],
    ['--table', /--table: is empty; name at least one table/],
    ['--skip', /--skip: is empty/],
    ['--host', /--host: is empty/],
    ['--mycnf', /--mycnf: is empty/],
    ['--hashfile', /--hashfile: is empty; give a file path/],
    ['--resume', /--resume: is empty; give the journal of the earlier run/],
    ['--chunk-size', /--chunk-size: is empty/],
  ])('%s ""', async (flag, message) => {
    for (const form of [[flag, ''], [`${flag}=`], [flag, '  ']]) {
      const r = await run(['flush', '--mycnf', noCnf, '-h', '127.0.0.1', '-P', '1', ...form]);
      expect(r.code, form.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('an empty item in a list is refused on both surfaces', async () => {
    for (const list of ['app,', ',app', 'app,,shop', ' , ']) {
      const r = await run(['flush', '--mycnf', noCnf, '-h', 'db1', '--db', list]);
      expect(r.code, list).toBe(2);
      expect(r.stderr).toMatch(/--db: (empty schema name in the list|is empty)/);
      expect(() => action({ host: 'db1', databases: list })).toThrow(
        /databases: (empty schema name|is empty)/,
      );
    }
  });
});

describe('the action: an empty selection is never "every schema"', () => {
  const read = (inputs: Record<string, string>) =>
    readActionSettings((n) => ({ mycnf: noCnf, host: 'db1', ...inputs })[n] ?? '', env);

  it.each(['flush', 'plan'])(
    'mode %s with neither databases nor tables is refused, naming databases',
    (mode) => {
      expect(() => read({ mode })).toThrow(
        /^databases: is empty, and so is tables: name the schemas to flush \(comma-separated\), or '\*' for every schema/,
      );
      // An unset variable reads as an empty input: the same refusal.
      expect(() => read({ mode, databases: ' ', tables: '' })).toThrow(/^databases: is empty/);
    },
  );

  it("'*' says every schema on purpose; tables alone is a selection; recover, verify and resume need none", () => {
    expect(read({ databases: '*' }).flush.selection).toMatchObject({ databases: [], tables: [] });
    expect(read({ tables: 'app.t' }).flush.selection.tables).toEqual([{ schema: 'app', table: 't' }]);
    for (const mode of ['recover', 'verify']) expect(read({ mode }).mode).toBe(mode);
    expect(read({ resume: 'true' }).flush.resumeFrom).toBeDefined();
  });
});

/** The flush settings the action builds from these inputs. */
function action(inputs: Record<string, string>): FlushSettings {
  return readActionSettings((n) => ({ mycnf: noCnf, databases: '*', ...inputs })[n] ?? '', env).flush;
}

describe('--skip takes schema.table as well as schemas (finding 4)', () => {
  const rows: TableRow[] = ['app.books', 'app.audit', 'app.users', 'shop.audit'].map((n) => {
    const [schema, name] = n.split('.') as [string, string];
    return { schema, name, type: 'BASE TABLE', engine: 'InnoDB', dataLength: 0, rows: 0 } as TableRow;
  });
  const shape = { engine: 'InnoDB', columns: [{ name: 'id' }], indexes: [], partitions: [] };
  const names = (sel: FlushSettings['selection']) =>
    discover(sel, rows, ['app', 'shop'], () => shape as never).tables.map(
      (t) => `${t.row.schema}.${t.row.name}`,
    );

  it('the same from the flag and the input: plain names are schemas, dotted ones tables', () => {
    for (const sel of [
      cli('-h', 'db1', '--skip', 'shop,app.audit').selection,
      action({ host: 'db1', skip: 'shop,app.audit' }).selection,
    ]) {
      expect(sel.skip).toEqual(['shop']);
      expect(sel.skipTables).toEqual([{ schema: 'app', table: 'audit' }]);
      expect(names(sel)).toEqual(['app.books', 'app.users']);
      expect(selectsTable(sel, 'app', 'audit')).toBe(false);
      expect(selectsTable(sel, 'app', 'books')).toBe(true);
    }
  });

  it('a skipped table is listed as left out; one that does not exist is a problem', () => {
    const d = discover(
      cli('-h', 'db1', '--skip', 'app.audit,app.nope').selection,
      rows,
      ['app', 'shop'],
      () => shape as never,
    );
    expect(d.skipped).toContainEqual({ schema: 'app', table: 'audit', reason: 'left out by --skip' });
    expect(d.problems.map((p) => p.message)).toEqual(['table "app.nope" (from --skip) does not exist']);
  });

  it('a table both named by --table and skipped is refused, naming both inputs', () => {
    expect(() => cli('-h', 'db1', '--table', 'app.audit', '--skip', 'app.audit')).toThrow(
      /--skip: table "app.audit" is both selected with --table and skipped with --skip/,
    );
    expect(() => action({ host: 'db1', tables: 'app.audit', skip: 'app.audit' })).toThrow(
      /skip: table "app.audit" is both selected with tables and skipped with skip/,
    );
  });
});
