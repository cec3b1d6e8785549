/**
 * The password never appears in any output: stdout and stderr at every log level, --json, the
 * journal, error messages and recovery output, whether it came from --mycnf or MYSQL_PWD.
 * (The action's outputs, state, summary and artifacts are checked in action.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { mycnfFor, runCliProcess } from '../support/cli.js';
import { tempHashfile } from '../support/flusher.js';

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
