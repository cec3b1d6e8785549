/**
 * The password never appears in any output: stdout and stderr at every log level, --json, the
 * journal, error messages and recovery output, whether it came from --mycnf or MYSQL_PWD.
 * (The action's outputs, state, summary and artifacts are checked in action.test.ts.)
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';
import { tempDir } from '../support/temp.js';

const sb = inject('sandbox')!;
const S = 'bf_secret';

describe('no secret in any output', () => {
  let cnf: string;
  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; CREATE TABLE ${S}.t (id INT PRIMARY KEY, pw VARCHAR(40));
               INSERT INTO ${S}.t VALUES (1, 'not the password')`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    cnf = mycnfFor(sb.replica);
  });

  const pw = () => sb.replica.password;
  const viaEnv = () => ['--host', '127.0.0.1', '--port', String(sb.replica.port), '--user', sb.replica.user];

  it.each([
    ['flush --verbose (mycnf)', () => ['flush', '--mycnf', cnf, '--db', S, '--verbose', '--start-slave'], {}],
    [
      'flush --json (MYSQL_PWD)',
      () => ['flush', ...viaEnv(), '--db', S, '--json', '--start-slave'],
      { MYSQL_PWD: 'env' },
    ],
    ['flush --dry-run --verbose', () => ['flush', '--mycnf', cnf, '--db', S, '--dry-run', '--verbose'], {}],
    ['a preflight refusal', () => ['flush', '--mycnf', cnf, '--db', 'no_such_schema', '--verbose'], {}],
    [
      'a refused connection',
      () => ['flush', '--host', '127.0.0.1', '--port', '1', '--db', S],
      { MYSQL_PWD: 'env' },
    ],
    [
      'a wrong user',
      () => [
        'flush',
        '--host',
        '127.0.0.1',
        '--port',
        String(sb.replica.port),
        '--user',
        'nobody',
        '--db',
        S,
      ],
      { MYSQL_PWD: 'env' },
    ],
  ] as [string, () => string[], { MYSQL_PWD?: string }][])('%s', async (_name, args, env) => {
    const hashfile = tempHashfile();
    const extra =
      args().includes('--dry-run') || args().includes('no_such_schema') ? [] : ['--hashfile', hashfile];
    const r = await runCliProcess([...args(), ...extra], { env: env.MYSQL_PWD ? { MYSQL_PWD: pw() } : {} });
    expect(r.stdout + r.stderr).not.toContain(pw());
    let journal = '';
    try {
      journal = readFileSync(hashfile, 'utf8');
    } catch {
      // no journal for refused runs
    }
    expect(journal).not.toContain(pw());
    if (journal) {
      const rec = await runCliProcess([
        'recover',
        '--mycnf',
        cnf,
        '--hashfile',
        hashfile,
        '--verbose',
        '--json',
      ]);
      expect(rec.code).toBe(0);
      expect(rec.stdout + rec.stderr).not.toContain(pw());
    }
  });
});

/**
 * A password whose text is inside ordinary words of the output (`app` in `applier`, `app.books`;
 * `a` nearly everywhere; `able` in `table`): no word is mangled, and the password is never written
 * where a password would be (`password=`, `:pw@`, `-ppw`, `'pw'`), nor, when it is no word or name
 * the run prints (`able`), as a token at all.
 */
describe('a password that is part of ordinary words', () => {
  const DB = 'app';
  const cases = [
    { user: 'bf_pw3', password: 'app', printedAsWord: true },
    { user: 'bf_pw1', password: 'a', printedAsWord: true },
    { user: 'bf_pw4', password: 'able', printedAsWord: false },
  ];

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB};
               CREATE TABLE ${DB}.books (id INT PRIMARY KEY, title VARCHAR(40));
               INSERT INTO ${DB}.books VALUES (1, 'a table of apples'), (2, 'applied'), (3, 'unable')`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    for (const { user, password } of cases) {
      await withSql(sb.replica, (c) =>
        c.query(
          `SET sql_log_bin = 0; DROP USER IF EXISTS '${user}'@'127.0.0.1';
           CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password}';
           GRANT ALL ON *.* TO '${user}'@'127.0.0.1'`,
        ),
      );
    }
  });

  afterAll(async () => {
    for (const { user } of cases)
      await withSql(sb.replica, (c) =>
        c.query(`SET sql_log_bin = 0; DROP USER IF EXISTS '${user}'@'127.0.0.1'`),
      );
    await withSql(sb.primary, (c) => c.query(`DROP DATABASE IF EXISTS ${DB}`));
  });

  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  /** The password where a password would be written. */
  const written = (pw: string) =>
    new RegExp(
      String.raw`(pass(word)?|passwd|pwd)['"]?\s*[=:]\s*['"]?${esc(pw)}(?![\w$])|:${esc(pw)}@|-p${esc(pw)}(?![\w$])|'${esc(pw)}'`,
      'i',
    );
  const asToken = (pw: string) =>
    new RegExp(String.raw`(?<![\p{L}\p{N}_$])${esc(pw)}(?![\p{L}\p{N}_$])`, 'u');

  it.each(cases)(
    'password $password: flush and recover print every word as it is',
    async ({ user, password, printedAsWord }) => {
      const cnf = join(tempDir('bf-shortpw-'), 'my.cnf');
      writeFileSync(
        cnf,
        `[client]\nuser=${user}\npassword=${password}\nhost=127.0.0.1\nport=${sb.replica.port}\n`,
        {
          mode: 0o600,
        },
      );
      const hashfile = tempHashfile();
      const fl = await runCliProcess([
        'flush',
        '--mycnf',
        cnf,
        '--db',
        DB,
        '--verbose',
        '--start-slave',
        '--hashfile',
        hashfile,
      ]);
      expect(fl.code, fl.stdout + fl.stderr).toBe(0);
      const rec = await runCliProcess([
        'recover',
        '--mycnf',
        cnf,
        '--hashfile',
        hashfile,
        '--verbose',
        '--json',
      ]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      const manifest = readdirSync(dirname(hashfile)).filter((f) => f !== basename(hashfile));
      const files = [hashfile, ...manifest.map((f) => join(dirname(hashfile), f))].map((f) =>
        readFileSync(f, 'utf8'),
      );
      expect(manifest.length).toBeGreaterThan(0);
      const printed = [fl.stdout, fl.stderr, rec.stdout, rec.stderr].join('\n');
      // Nothing needed masking, so nothing is masked: no word turned into ***.
      expect(printed).not.toContain('***');
      expect(fl.stdout).toContain(`${DB}.books`);
      expect(fl.stdout).toMatch(/applier/);
      expect(JSON.parse(rec.stdout)).toBeTruthy();
      for (const text of [printed, ...files]) {
        expect(text).not.toMatch(written(password));
        if (!printedAsWord) expect(text).not.toMatch(asToken(password));
      }
    },
  );
});
