/**
 * Bad input: each case gets one clear error naming the input, a non-zero exit, and no change on
 * the server (same tables, applier still running, nothing of ours left).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { JOURNAL_FORMAT, JOURNAL_KIND } from '../../src/journal/journal.js';
import { replicaRunning, startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { mycnfFor } from '../support/cli.js';
import { readActionSettings } from '../../src/action/inputs.js';
import { runAction } from '../../src/action/run.js';
import { memoryLogger } from '../../src/model/log.js';
import { tempDir } from '../support/temp.js';

const sb = inject('sandbox')!;
const S = 'bf_bad';
const dir = tempDir('bf-bad-');
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { ...env },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('bad input', () => {
  let before: SchemaSnapshot;
  let cnf: string;
  let header: Record<string, unknown>;
  const planLine = (tables: object[]) =>
    JSON.stringify({ type: 'plan', marker: 'binlog-flusher twin 0a1b2c3d', tables });
  const entry = { id: 1, schema: S, table: 't', backup: '_bf_0a1b2c3d_1', twin: '_bf_0a1b2c3d_1_tw' };

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${S}; CREATE DATABASE ${S}; CREATE DATABASE IF NOT EXISTS bf_empty;
               CREATE TABLE ${S}.t (id INT PRIMARY KEY); INSERT INTO ${S}.t VALUES (1), (2);
               CREATE VIEW ${S}.v AS SELECT * FROM ${S}.t;`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
    before = await withSql(sb.replica, (c) => snapshotSchema(c, S));
    cnf = mycnfFor(sb.replica);
    const serverId = await withSql(sb.replica, async (c) =>
      Number(((await c.query('SELECT @@server_id AS s'))[0] as { s: number }[])[0]!.s),
    );
    header = {
      type: 'header',
      kind: JOURNAL_KIND,
      format: JOURNAL_FORMAT,
      tool: 't',
      host: '127.0.0.1',
      port: sb.replica.port,
      serverId,
      serverUuid: '',
      serverVersion: '',
      startedAt: '',
      runTag: '0a1b2c3d',
      options: { databases: [S] },
    };
  });
  afterAll(async () => {
    expect(await withSql(sb.replica, (c) => snapshotSchema(c, S))).toEqual(before);
    expect(await withSql(sb.replica, leftovers)).toEqual([]);
    expect(await replicaRunning(sb.replica)).toBe(true);
  });

  const cases: [string, () => string[], RegExp, number?][] = [
    [
      'unknown host',
      () => ['flush', '--host', 'no-such-host.invalid', '--db', S],
      /cannot connect to no-such-host\.invalid:3306 .*unknown host; check --host/,
    ],
    [
      'refused port',
      () => ['flush', '--host', '127.0.0.1', '--port', '1', '--db', S],
      /connection refused; check --host and --port/,
    ],
    [
      'wrong password',
      () => [
        'flush',
        '--mycnf',
        file(
          'wrong.cnf',
          `[client]\nuser=sandbox\npassword=not-it\nhost=127.0.0.1\nport=${sb.replica.port}\n`,
        ),
        '--db',
        S,
      ],
      /access denied; check the user and the password/,
    ],
    [
      'missing mycnf',
      () => ['flush', '--mycnf', join(dir, 'none.cnf'), '--db', S],
      /--mycnf: .*none\.cnf does not exist/,
    ],
    ['mycnf is a directory', () => ['flush', '--mycnf', dir, '--db', S], /--mycnf: .* is a directory/],
    [
      'mycnf without [client]',
      () => ['flush', '--mycnf', file('noclient.cnf', '[mysqld]\nport=1\n'), '--db', S],
      /--mycnf: .*has no \[client\] section/,
    ],
    [
      'mycnf binary garbage',
      () => ['flush', '--mycnf', file('garbage.cnf', '\u0000\u0001\u0002binary'), '--db', S],
      /--mycnf: .*not a text option file/,
    ],
    [
      'unknown schema',
      () => ['flush', '--mycnf', cnf, '--db', 'no_such_db'],
      /schema "no_such_db" \(from --db\) does not exist/,
      3,
    ],
    [
      'unknown table',
      () => ['flush', '--mycnf', cnf, '--table', `${S}.nope`],
      /table "bf_bad\.nope" \(from --table\) does not exist/,
      3,
    ],
    [
      'unknown skip schema',
      () => ['flush', '--mycnf', cnf, '--db', S, '--skip', 'nope_db'],
      /schema "nope_db" \(from --skip\) does not exist/,
      3,
    ],
    [
      'filter matching nothing',
      () => ['flush', '--mycnf', cnf, '--db', 'bf_empty'],
      /the selection holds no table that can be flushed/,
      3,
    ],
    [
      'a view named in --table',
      () => ['flush', '--mycnf', cnf, '--table', `${S}.v`],
      /bf_bad\.v \(from --table\) cannot be flushed: view/,
      3,
    ],
    [
      'backtick in --table',
      () => ['flush', '--mycnf', cnf, '--table', 'a`b'],
      /--table: table name "a`b" holds a quote, backtick/,
    ],
    [
      'quote in --db',
      () => ['flush', '--mycnf', cnf, '--db', "x'y"],
      /--db: schema name "x'y" holds a quote/,
    ],
    ['double quote in --skip', () => ['flush', '--mycnf', cnf, '--skip', 'x"y'], /--skip: schema name/],
    [
      'semicolon in --table',
      () => ['flush', '--mycnf', cnf, '--table', 't;DROP TABLE t'],
      /--table: table name "t;DROP TABLE t"/,
    ],
    ['newline in --db', () => ['flush', '--mycnf', cnf, '--db', 'a\nb'], /--db: schema name "a\\nb"/],
    ['empty name in a list', () => ['flush', '--mycnf', cnf, '--table', 'a,,b'], /--table: empty table name/],
    [
      'name over 64 characters',
      () => ['flush', '--mycnf', cnf, '--db', 'x'.repeat(65)],
      /--db: schema name .* is longer than 64/,
    ],
    [
      '--stop-slave with --no-stop-replica',
      () => ['flush', '--mycnf', cnf, '--db', S, '--stop-slave', '--no-stop-replica'],
      /--stop-slave: conflicts with --no-stop-replica/,
    ],
    [
      '--start-slave with --no-stop-slave',
      () => ['flush', '--mycnf', cnf, '--db', S, '--start-slave', '--no-stop-slave'],
      /--start-slave: conflicts with --no-stop-slave/,
    ],
    [
      '--db and --skip the same schema',
      () => ['flush', '--mycnf', cnf, '--db', S, '--skip', S],
      /--skip: schema "bf_bad" is both selected/,
    ],
    [
      'non-numeric --chunk-size',
      () => ['flush', '--mycnf', cnf, '--chunk-size', 'lots'],
      /--chunk-size: expected a whole number/,
    ],
    [
      'zero --chunk-size',
      () => ['flush', '--mycnf', cnf, '--chunk-size', '0'],
      /--chunk-size: expected a whole number from 1 to 10000000, got 0/,
    ],
    [
      'huge --chunk-size',
      () => ['flush', '--mycnf', cnf, '--chunk-size', '99999999999'],
      /--chunk-size: expected a whole number from 1 to 10000000/,
    ],
    [
      'negative --concurrency',
      () => ['flush', '--mycnf', cnf, '--concurrency=-1'],
      /--concurrency: expected a whole number from 1 to 64, got "-1"/,
    ],
    [
      'fractional --concurrency',
      () => ['flush', '--mycnf', cnf, '--concurrency', '1.5'],
      /--concurrency: expected a whole number/,
    ],
    [
      '--concurrency over the limit',
      () => ['flush', '--mycnf', cnf, '--concurrency', '65'],
      /--concurrency: expected a whole number from 1 to 64, got 65/,
    ],
    [
      'unknown --ddl',
      () => ['flush', '--mycnf', cnf, '--ddl', 'alter'],
      /--ddl: expected one of create, none, got "alter"/,
    ],
    [
      'unknown --ssl-mode',
      () => ['flush', '--mycnf', cnf, '--ssl-mode', 'maybe'],
      /--ssl-mode: expected one of DISABLED, PREFERRED/,
    ],
    [
      '--ssl-ca that does not exist',
      () => ['flush', '--mycnf', cnf, '--ssl-ca', join(dir, 'nope.pem')],
      /--ssl-ca: .*nope\.pem does not exist; give the path of a CA certificate/,
    ],
    [
      '--password on the command line',
      () => ['flush', '--host', 'h', '--password', 'secret'],
      /--password: is not accepted on the command line/,
    ],
    [
      '--port out of range',
      () => ['flush', '--host', 'h', '--port', '70000'],
      /--port: expected a whole number from 1 to 65535, got 70000/,
    ],
    [
      '--host with a user in it',
      () => ['flush', '--host', 'root@db1'],
      /--host: not a host name or IP address/,
    ],
    [
      'no host at all',
      () => ['flush', '--mycnf', file('nohost.cnf', '[client]\nuser=u\n')],
      /--host: is required/,
    ],
    ['unknown option', () => ['flush', '--hots', 'x'], /unknown option '--hots'/],
    [
      'existing --hashfile',
      () => ['flush', '--mycnf', cnf, '--db', S, '--hashfile', file('exists.hashfile', 'x')],
      /--hashfile: .*exists\.hashfile already exists: it may be the journal of an unfinished run/,
    ],
    [
      '--timeout of zero',
      () => ['flush', '--mycnf', cnf, '--timeout', '0'],
      /--timeout: expected a whole number from 1/,
    ],
    // Issue 17, finding 7: inputs that conflict or cannot mean anything, refused before anything connects.
    [
      '--stop-slave with --no-stop-slave',
      () => ['flush', '--mycnf', cnf, '--db', S, '--stop-slave', '--no-stop-slave'],
      /--stop-slave: conflicts with --no-stop-slave; give one of them/,
    ],
    [
      '--no-start-replica with --start-slave',
      () => ['flush', '--mycnf', cnf, '--db', S, '--no-start-replica', '--start-slave'],
      /--no-start-replica: conflicts with --start-slave/,
    ],
    [
      '--host with --socket',
      () => ['flush', '--mycnf', cnf, '--db', S, '--host', '127.0.0.1', '--socket', '/tmp/mysql.sock'],
      /--socket: conflicts with --host: a socket is a local connection/,
    ],
    [
      '--port with --socket',
      () => ['flush', '--mycnf', cnf, '--db', S, '--port', '3307', '--socket', '/tmp/mysql.sock'],
      /--socket: conflicts with --port/,
    ],
    [
      '--ssl-ca with --ssl-mode DISABLED',
      () => ['flush', '--mycnf', cnf, '--ssl-mode', 'DISABLED', '--ssl-ca', file('ca.pem', 'x')],
      /--ssl-ca: conflicts with --ssl-mode DISABLED/,
    ],
    [
      '--max-load on a status the server does not have',
      () => ['flush', '--mycnf', cnf, '--db', S, '--max-load', 'No_such_status=5'],
      /--max-load: this server has no status No_such_status \(SHOW GLOBAL STATUS does not list it\)/,
    ],
    [
      '--hashfile in a directory that does not exist',
      () => ['flush', '--mycnf', cnf, '--db', S, '--hashfile', join(dir, 'no-dir', 'j.hashfile')],
      /--hashfile: cannot create .*no-dir\/j\.hashfile: the directory .*no-dir does not exist/,
    ],
    [
      '--hashfile under a file',
      () => ['flush', '--mycnf', cnf, '--db', S, '--hashfile', join(file('plain.txt', 'x'), 'j.hashfile')],
      /--hashfile: cannot create .*plain\.txt\/j\.hashfile: .*plain\.txt is not a directory/,
    ],
    [
      '--hashfile that is a directory',
      () => ['flush', '--mycnf', cnf, '--db', S, '--hashfile', dir],
      /--hashfile: .* is a directory; give a file path/,
    ],
    [
      '--pause-file in a directory that does not exist',
      () => ['flush', '--mycnf', cnf, '--db', S, '--pause-file', join(dir, 'no-dir', 'pause')],
      /--pause-file: .*no-dir\/pause can never be created: the directory .*no-dir does not exist/,
    ],
    [
      '--resume of a journal that does not exist',
      () => ['flush', '--mycnf', cnf, '--db', S, '--resume', '/none'],
      /--resume: \/none: does not exist/,
    ],
    [
      '--resume of an original-tool hashfile',
      () => ['flush', '--mycnf', cnf, '--db', S, '--resume', file('legacy-resume.hashfile', '_BKTB_1,t\n')],
      /--resume: .*legacy-resume\.hashfile is an original-tool hashfile; only a binlog-flusher journal can be resumed/,
    ],
    // Finding 8: each subcommand takes only its own flags.
    [
      'verify --start-slave',
      () => ['verify', '--mycnf', cnf, '--hashfile', 'j', '--start-slave'],
      /unknown option '--start-slave'/,
    ],
    ['verify --db', () => ['verify', '--mycnf', cnf, '--hashfile', 'j', '--db', S], /unknown option '--db'/],
    [
      'verify --lock-wait',
      () => ['verify', '--mycnf', cnf, '--hashfile', 'j', '--lock-wait', '5'],
      /unknown option '--lock-wait'/,
    ],
    [
      'verify --dry-run',
      () => ['verify', '--mycnf', cnf, '--hashfile', 'j', '--dry-run'],
      /unknown option '--dry-run'/,
    ],
    [
      'recover --concurrency',
      () => ['recover', '--mycnf', cnf, '--hashfile', 'j', '--concurrency', '2'],
      /unknown option '--concurrency'/,
    ],
    [
      'recover --resume',
      () => ['recover', '--mycnf', cnf, '--hashfile', 'j', '--resume', 'j'],
      /unknown option '--resume'/,
    ],
    ['recover without --hashfile', () => ['recover', '--mycnf', cnf], /--hashfile: is required/],
    [
      'recover: missing journal',
      () => ['recover', '--mycnf', cnf, '--hashfile', join(dir, 'none.hashfile')],
      /--hashfile: .*none\.hashfile: does not exist/,
    ],
    [
      'recover: empty journal',
      () => ['recover', '--mycnf', cnf, '--hashfile', file('empty.hashfile', '')],
      /is empty; it is not a binlog-flusher journal/,
    ],
    [
      'recover: truncated journal',
      () => [
        'recover',
        '--mycnf',
        cnf,
        '--hashfile',
        file('trunc.hashfile', '{"type":"header","kind":"binlog-fl'),
      ],
      /line 1 is not valid JSON|does not start with a binlog-flusher journal header/,
    ],
    [
      'recover: garbage journal',
      () => ['recover', '--mycnf', cnf, '--hashfile', file('garbage.hashfile', 'hello world\nmore\n')],
      /neither JSON nor an original-tool line/,
    ],
    [
      'recover: future format',
      () => [
        'recover',
        '--mycnf',
        cnf,
        '--hashfile',
        file('future.hashfile', JSON.stringify({ ...header, format: 99 })),
      ],
      /journal format 99, newer than this version reads/,
    ],
    [
      'recover: another server',
      () => [
        'recover',
        '--mycnf',
        cnf,
        '--hashfile',
        file('other.hashfile', `${JSON.stringify({ ...header, serverId: 4242 })}\n${planLine([entry])}`),
      ],
      /was written on server_id 4242 .*recover against the server that ran the flush/,
    ],
    [
      'recover: table outside its schemas',
      () => [
        'recover',
        '--mycnf',
        cnf,
        '--hashfile',
        file(
          'outside.hashfile',
          `${JSON.stringify(header)}\n${planLine([{ ...entry, schema: 'mysql', table: 'user' }])}`,
        ),
      ],
      /mysql\.user is outside the schemas the run selected/,
    ],
    [
      'recover: a backup name we never create',
      () => [
        'recover',
        '--mycnf',
        cnf,
        '--hashfile',
        file('name.hashfile', `${JSON.stringify(header)}\n${planLine([{ ...entry, backup: 't' }])}`),
      ],
      /backup name "t", which binlog-flusher never creates/,
    ],
    [
      'recover: legacy hashfile without --db',
      () => ['recover', '--mycnf', cnf, '--hashfile', file('legacy.hashfile', '_BKTB_1,t\n')],
      /original-tool hashfile; name its schema with --db/,
    ],
    // Issue 25: the MySQL client's habits, empty inputs, --skip schema.table.
    [
      '--db given empty',
      () => ['flush', '--mycnf', cnf, '--db', ''],
      /--db: is empty; name at least one schema/,
    ],
    ['--db=', () => ['flush', '--mycnf', cnf, '--db='], /--db: is empty/],
    ['--table given empty', () => ['flush', '--mycnf', cnf, '--table', ' '], /--table: is empty/],
    ['--skip given empty', () => ['flush', '--mycnf', cnf, '--db', S, '--skip', ''], /--skip: is empty/],
    ['--host given empty', () => ['flush', '--mycnf', cnf, '--host', '', '--db', S], /--host: is empty/],
    ['--mycnf given empty', () => ['flush', '--mycnf', '', '--db', S], /--mycnf: is empty/],
    ['a trailing comma in --db', () => ['flush', '--mycnf', cnf, '--db', `${S},`], /--db: empty schema name/],
    [
      'recover --db given empty',
      () => ['recover', '--mycnf', cnf, '--hashfile', 'j', '--db', ''],
      /--db: is empty/,
    ],
    ['verify --host given empty', () => ['verify', '--hashfile', 'j', '-h', ''], /--host: is empty/],
    [
      '-h with no value',
      () => ['flush', '--mycnf', cnf, '-h'],
      /option '-h, --host <host>' argument missing/,
    ],
    [
      '--host with a port',
      () => ['flush', '--mycnf', cnf, '-h', '127.0.0.1:3306', '--db', S],
      /--host: "127\.0\.0\.1:3306" holds a port: give the host alone \(127\.0\.0\.1\) and the port with --port \(3306\)/,
    ],
    [
      '-S with -h',
      () => ['flush', '--mycnf', cnf, '-S', '/tmp/none.sock', '-h', '127.0.0.1', '--db', S],
      /--socket: conflicts with --host/,
    ],
    [
      'a --skip table that does not exist',
      () => ['flush', '--mycnf', cnf, '--db', S, '--skip', `${S}.nope`],
      /table "bf_bad\.nope" \(from --skip\) does not exist/,
      3,
    ],
    [
      'a table both in --table and --skip',
      () => ['flush', '--mycnf', cnf, '--table', `${S}.t`, '--skip', `${S}.t`],
      /--skip: table "bf_bad\.t" is both selected with --table and skipped with --skip/,
    ],
    [
      'a system schema in --db',
      () => ['flush', '--mycnf', cnf, '--db', 'mysql'],
      /schema "mysql" \(from --db\) is a system schema: its tables are the server's own and are never flushed\s+fix: remove it from --db/,
      3,
    ],
    [
      'a table of a system schema in --table',
      () => ['flush', '--mycnf', cnf, '--table', 'mysql.user'],
      /mysql\.user \(from --table\) is in a system schema/,
      3,
    ],
    [
      'a --skip entry with an empty table name',
      () => ['flush', '--mycnf', cnf, '--db', S, '--skip', `${S}.`],
      /--skip: empty table name/,
    ],
  ];

  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('%s', async (_name, args, message, code = 2) => {
    const r = await cli(args(), { MYSQL_PWD: '' });
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain(sb.replica.password);
  });

  it.each([['-psecret-pw'], ['-p', 'secret-pw'], ['-p'], ['--password=secret-pw']])(
    "%s (the MySQL client's password flag) is refused with its reason, without its value",
    async (...args) => {
      const r = await cli(['flush', '--mycnf', cnf, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/-p\/--password: is not accepted on the command line/);
      expect(r.stderr + r.stdout).not.toContain('secret-pw');
    },
  );

  it.each([
    [['--pass=secret-pw'], "'--pass'"],
    [['--pass', 'secret-pw'], "'--pass'"],
    [['--passwd=secret-pw', '--db', S], "'--passwd'"],
  ])('an unknown option %j is named without its value', async (args, named) => {
    const r = await cli(['flush', '--mycnf', cnf, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown option ${named}`);
    expect(r.stderr + r.stdout).not.toContain('secret-pw');
  });

  const root = process.getuid?.() === 0;
  it.skipIf(root)(
    '--hashfile in a directory this user cannot write (skipped as root: root writes anywhere)',
    async () => {
      const ro = join(dir, 'read-only');
      mkdirSync(ro, { mode: 0o500 });
      const r = await cli(['flush', '--mycnf', cnf, '--db', S, '--hashfile', join(ro, 'j.hashfile')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /--hashfile: cannot create .*read-only\/j\.hashfile: the directory .* is not writable/,
      );
    },
  );

  it('recover: a table changed by hand since the flush is left alone', async () => {
    // The set-aside backup got another column by hand: recover must not put it back blindly.
    await withSql(sb.replica, (c) =>
      c.query(
        `${sb.flavour === 'mariadb' ? 'STOP SLAVE' : 'STOP REPLICA'}; SET sql_log_bin = 0; CREATE TABLE ${S}._bf_0a1b2c3d_2 (id INT PRIMARY KEY, extra INT)`,
      ),
    );
    const j = file(
      'changed.hashfile',
      `${JSON.stringify(header)}\n${planLine([{ id: 2, schema: S, table: 'gone', backup: '_bf_0a1b2c3d_2', twin: '_bf_0a1b2c3d_2_tw', columns: 'feedbeef' }])}`,
    );
    const r = await cli(['recover', '--mycnf', cnf, '--hashfile', j, '--no-stop-slave']);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/has other columns than when it was flushed: changed by hand since; left alone/);
    await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DROP TABLE ${S}._bf_0a1b2c3d_2`));
    await startReplica(sb.replica);
  });
});

/**
 * Issue 17, finding 8: a run that came from the action is told about its inputs, never about the
 * command line's flags. runAction in-process; these refusals happen before any journal exists, so
 * the journal store (GitHub's artifacts) is never reached.
 */
describe('the action names its own inputs', () => {
  const dir = tempDir('bf-bad-action-');
  const A = 'bf_bad_action';

  async function step(inputs: Record<string, string>) {
    const all: Record<string, string> = {
      host: sb.replica.host,
      port: String(sb.replica.port),
      user: sb.replica.user,
      password: sb.replica.password,
      databases: A,
      hashfile: join(dir, `${Math.random().toString(36).slice(2)}.hashfile`),
      ...inputs,
    };
    const outputs: Record<string, string> = {};
    const log = memoryLogger();
    const unreachable = () => Promise.reject(new Error('the journal store must not be reached'));
    const outcome = await runAction(
      readActionSettings((n) => all[n] ?? '', { RUNNER_TEMP: dir }),
      {
        log,
        setOutput: (n, v) => (outputs[n] = v),
        writeSummary: async () => undefined,
        state: { save: () => undefined, get: () => '' },
        journals: { upload: unreachable, download: unreachable },
        env: {},
      },
    );
    return { outcome, outputs, text: [outcome.message, ...log.lines].join('\n') };
  }

  beforeAll(async () => {
    await startReplica(sb.replica).catch(() => undefined);
    await withSql(sb.primary, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${A}; CREATE DATABASE ${A}; CREATE TABLE ${A}.t (id INT PRIMARY KEY)`),
    );
    await waitCaughtUp(sb.primary, sb.replica);
  });

  it.each([
    [
      { 'stop-replica': 'false' },
      /the replica applier \(SQL thread\) is running and stop-replica: false was given/,
    ],
    [{ 'max-load': 'No_such_status=5' }, /^max-load: this server has no status No_such_status/],
    [{ port: '1' }, /connection refused; check host and port/],
    [
      { databases: 'no_such_db' },
      /\[selection\] schema "no_such_db" \(from databases\) does not exist\s+fix: check the name in databases/,
    ],
    [
      { hashfile: join(dir, 'no-dir', 'j.hashfile') },
      /^hashfile: cannot create .*: the directory .* does not exist/,
    ],
    [{ 'pause-file': join(dir, 'no-dir', 'p') }, /^pause-file: .* can never be created/],
  ])('%j: refused, naming the input, no --flag', async (inputs, message) => {
    const r = await step(inputs);
    expect(r.outcome.ok).toBe(false);
    expect(r.outcome.message).toMatch(message);
    expect(r.text).not.toMatch(/--[a-z]/);
    expect(r.outputs.status).toBe('refused');
    expect(await replicaRunning(sb.replica)).toBe(true);
  });

  it.each([
    [{ databases: `${A},` }, /^databases: empty schema name in the list/],
    [
      { skip: `${A}.t`, tables: `${A}.t` },
      /^skip: table "bf_bad_action\.t" is both selected with tables and skipped with skip/,
    ],
    [{ host: '127.0.0.1:3306' }, /^host: "127\.0\.0\.1:3306" holds a port: .* with port \(3306\)/],
    [{ 'chunk-size': 'lots' }, /^chunk-size: expected a whole number/],
    [{ mode: 'replay' }, /^mode: expected one of flush, recover, plan, verify/],
    [{ 'max-load': 'Threads_running=' }, /^max-load: expected STATUS=LIMIT/],
    [{ databases: '', tables: '' }, /^databases: is empty, and so is tables: .* or '\*' for every schema/],
    [{ databases: ' ', mode: 'plan' }, /^databases: is empty, and so is tables/],
  ] as [Record<string, string>, RegExp][])(
    '%j: refused when the inputs are read, naming the input, no --flag',
    (inputs, message) => {
      const read = () =>
        readActionSettings(
          (n) =>
            ({
              host: sb.replica.host,
              port: String(sb.replica.port),
              password: sb.replica.password,
              databases: A,
              ...inputs,
            })[n] ?? '',
          { RUNNER_TEMP: dir },
        );
      expect(read).toThrow(message);
      let text = '';
      try {
        read();
      } catch (e) {
        text = (e as Error).message;
      }
      expect(text).not.toMatch(/--[a-z]/);
      expect(text).not.toContain(sb.replica.password);
    },
  );

  it.each([
    [
      { skip: `${A}.nope` },
      /\[selection\] table "bf_bad_action\.nope" \(from skip\) does not exist\s+fix: check the name in skip/,
    ],
  ])('%j: refused by preflight, naming the input, no --flag', async (inputs, message) => {
    const r = await step({ mode: 'plan', ...inputs });
    expect(r.outcome.ok).toBe(false);
    expect(r.outcome.message).toMatch(message);
    expect(r.text).not.toMatch(/--[a-z]/);
    expect(await replicaRunning(sb.replica)).toBe(true);
  });

  it('a preflight warning names the action input (set-read-only: false)', async () => {
    const plan = await step({ mode: 'plan', 'set-read-only': 'false' });
    expect(plan.outcome.ok, plan.text).toBe(true);
    expect(plan.text).toMatch(/read_only stays OFF \(set-read-only: false\)/);
    expect(plan.text).not.toMatch(/--[a-z]/);
  });
});
