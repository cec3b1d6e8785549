/**
 * Option files (~/.my.cnf, --mycnf): the grammar (option-file.ts), includes (option-reader.ts) and
 * what binlog-flusher takes from them (mycnf.ts). The same cases are checked against the servers'
 * own reader in test/integration/option-files.test.ts.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientOptions, MYCNF_GROUPS, parseMyCnf, readMyCnf } from '../../src/config/mycnf.js';
import { commentStart, OptionFileError, optionValue, parseOptionText } from '../../src/config/option-file.js';
import { readOptionFiles } from '../../src/config/option-reader.js';
import { InputError } from '../../src/model/errors.js';
import { OPTION_FILE_CASES, printed, removeCase, writeCase } from '../support/option-file-cases.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bf-mycnf-'));
  dirs.push(d);
  return d;
}

/** A file of `text` in a new temp folder. */
function cnf(text: string, name = 'my.cnf'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** The message readMyCnf throws for `text` (fails the test when it reads the file). */
function refusal(text: string): string {
  try {
    readMyCnf(cnf(text));
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('the file was read');
}

describe('issue 25, finding 3: option files read as the clients read them', () => {
  it('a ";" inside a value is part of it (the clients take password=pa;ss=wo whole)', () => {
    expect(readMyCnf(cnf('[client]\nuser=u\npassword=pa;ss=wo\n'))).toEqual({
      user: 'u',
      password: 'pa;ss=wo',
    });
  });
  it('!include and !includedir are read, not dropped', () => {
    const d = tempDir();
    writeFileSync(join(d, 'secret.cnf'), '[client]\npassword=from-include\n');
    mkdirSync(join(d, 'conf.d'));
    writeFileSync(join(d, 'conf.d', 'host.cnf'), '[client]\nhost=db1\n');
    const main = join(d, 'my.cnf');
    writeFileSync(
      main,
      `[client]\nuser=u\n!include ${join(d, 'secret.cnf')}\n!includedir ${join(d, 'conf.d')}\n`,
    );
    expect(readMyCnf(main)).toEqual({ user: 'u', password: 'from-include', host: 'db1' });
  });
});

describe('the case table (what we read; test/integration/option-files.test.ts holds the clients to it)', () => {
  it('has at least 25 cases, each named once', () => {
    expect(OPTION_FILE_CASES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(OPTION_FILE_CASES.map((c) => c.name)).size).toBe(OPTION_FILE_CASES.length);
  });
  it.each(OPTION_FILE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const dir = writeCase(c, tmpdir(), (p) => p);
    try {
      const file = join(dir, 'my.cnf');
      const cwd = join(dir, c.cwd ?? '.');
      if (c.reads instanceof RegExp) {
        expect(() => readOptionFiles(file, cwd)).toThrow(OptionFileError);
        expect(() => readOptionFiles(file, cwd)).toThrow(c.reads);
        return;
      }
      const read = readOptionFiles(file, cwd);
      expect(printed(read.options, MYCNF_GROUPS)).toEqual(c.reads);
      if (c.client instanceof RegExp) expect(() => clientOptions(read, file)).toThrow(c.client);
      else if (c.client) expect(clientOptions(read, file)).toEqual(c.client);
    } finally {
      removeCase(dir);
    }
  });
});

describe('the grammar, line by line', () => {
  it('finds the "#" that starts a comment, outside quotes only', () => {
    expect(commentStart('a=b#c')).toBe(3);
    expect(commentStart('a="b#c"#d')).toBe(7);
    expect(commentStart("a='b\"#c'")).toBe(8);
    expect(commentStart('a="b\\"#c"')).toBe(9);
    expect(commentStart('a=b\\#c')).toBe(4); // outside quotes a "\" protects nothing
    expect(commentStart("a=it's#x")).toBe(8); // a lone quote opens a quote to the end
    expect(commentStart('a=b;c')).toBe(5);
  });
  it('reads a value: spaces, one pair of quotes, escapes', () => {
    expect(optionValue('  x y \t')).toBe('x y');
    expect(optionValue('"x"')).toBe('x');
    expect(optionValue("'x'")).toBe('x');
    expect(optionValue('"x\'')).toBe('"x\'');
    expect(optionValue('"')).toBe('"');
    expect(optionValue('""')).toBe('');
    expect(optionValue('"a"b"')).toBe('a"b');
    expect(optionValue('a\\sb\\nc\\td\\\\e\\qf\\')).toBe('a b\nc\td\\e\\qf\\');
    expect(optionValue('\\"x\\"')).toBe('"x"');
    expect(optionValue('x\u00a0')).toBe('x'); // 0xA0 is a space for the clients
  });
  it('gives groups, options, directives with their lines', () => {
    expect(parseOptionText('# c\n[Client ]\nuser = u\nskip-ssl\n!include /x.cnf\n', 'f')).toEqual([
      { kind: 'group', line: 2, group: 'Client' },
      { kind: 'option', line: 3, group: 'Client', name: 'user', value: 'u' },
      { kind: 'option', line: 4, group: 'Client', name: 'skip-ssl' },
      { kind: 'include', line: 5, path: '/x.cnf' },
    ]);
    expect(parseOptionText('!includedir   /d/  \n', 'f')).toEqual([
      { kind: 'includedir', line: 1, path: '/d/' },
    ]);
    expect(parseOptionText('', 'f')).toEqual([]);
    // A comment is not read, whatever its bytes (a latin1 "café").
    expect(parseOptionText('# caf\u00e9\n[client]\n', 'f')).toEqual([
      { kind: 'group', line: 2, group: 'client' },
    ]);
    expect(parseOptionText('[client]', 'f')).toEqual([{ kind: 'group', line: 1, group: 'client' }]);
  });
  const refused: [string, RegExp][] = [
    ['port=1\n', /^f line 1: an option before any \[group\] line/],
    ['[client]\n[mysqld\n', /^f line 2: a \[group\] line without its "\]"/],
    ['[client]\n!include\n', /^f line 2: !include has no path after it/],
    ['[client]\n!includedir \t\n', /^f line 2: !includedir has no path after it/],
    ['[client]\n!inclde /x\n', /^f line 2: not a directive the clients know/],
    ['[client]\n!includex /x\n', /^f line 2: not a directive the clients know/],
    ['[client]\n!include /a#b.cnf\n', /^f line 2: the path of !include holds a "#"/],
    ['[client]\n = v\n', /^f line 2: a value with no option name/],
    ['[ client]\n', /^f line 1: a group name that starts with a space/],
    ['\u00ef\u00bb\u00bf[client]\n', /^f line 1: the file starts with a UTF-8 byte-order mark/],
    ['[client]\nuser=\u00ff\n', /^f line 2: the line is not UTF-8 text/],
    [`[client]\nuser=${'a'.repeat(4090)}\n`, /^f line 2: a line longer than 4094 bytes/],
  ];
  // Named by what it expects (the text itself can be a 4 KiB line).
  it.each(refused.map(([text, re]) => [String(re), text, re] as const))(
    'refuses what it does not understand, naming the file and the line (case %#: %s)',
    (_expected, text, re) => {
      expect(() => parseOptionText(text, 'f'), JSON.stringify(text)).toThrow(re);
    },
  );
});

describe('what binlog-flusher takes from [client]', () => {
  it('reads what a DBA puts in [client], and ignores options it does not use', () => {
    const c = readMyCnf(
      cnf(
        '[client]\nuser=admin\npassword=s3cret\nhost=db1\nport=3307\nsocket=/run/mysqld/mysqld.sock\n' +
          'ssl-ca=/ca.pem\nssl-cert=/c.pem\nssl-key=/k.pem\nssl-mode=VERIFY_IDENTITY\n' +
          'default-character-set=utf8mb4\nprotocol=tcp\nloose-local-infile=1\n',
      ),
    );
    expect(c).toEqual({
      user: 'admin',
      password: 's3cret',
      host: 'db1',
      port: '3307',
      socket: '/run/mysqld/mysqld.sock',
      'ssl-ca': '/ca.pem',
      'ssl-cert': '/c.pem',
      'ssl-key': '/k.pem',
      'ssl-mode': 'VERIFY_IDENTITY',
    });
  });
  it('reads [client-server], [client-mariadb] and [binlog-flusher], not [mysql] or [mysqld]', () => {
    const c = readMyCnf(
      cnf(
        '[mysql]\nuser=mysql-only\n[client-server]\nuser=a\n[mysqld]\nuser=server\n[binlog-flusher]\nport=4\n',
      ),
    );
    expect(c).toEqual({ user: 'a', port: '4' });
  });
  it('refuses a TLS option it would not apply, rather than connect unencrypted or unverified', () => {
    for (const line of [
      'ssl',
      'ssl=1',
      'skip-ssl',
      'ssl-verify-server-cert',
      'ssl-capath=/etc/ssl',
      'tls-version=TLSv1.3',
      'loose-ssl',
    ])
      expect(refusal(`[client]\n${line}\n`), line).toMatch(
        /line 2: .*binlog-flusher takes TLS from ssl-mode/,
      );
    // The ones it applies are read.
    expect(readMyCnf(cnf('[client]\nssl-mode=REQUIRED\nssl-ca=/ca.pem\n'))).toEqual({
      'ssl-mode': 'REQUIRED',
      'ssl-ca': '/ca.pem',
    });
  });
  it('refuses one of our options with no value; the value never shows', () => {
    expect(refusal('[client]\npassword\n')).toMatch(
      /^--mycnf: .*my\.cnf line 2: \[client\] password has no value \(the clients would ask for it; binlog-flusher does not ask\): write password=\.\.\./,
    );
    expect(refusal('[client]\nloose-user\n')).toMatch(
      /line 2: \[client\] loose-user has no value: write user=/,
    );
  });
  it('refuses names only MariaDB reads as ours (another case, a prefix), never echoing the value', () => {
    const m1 = refusal('[client]\nPassword=hunter2x\n');
    expect(m1).toMatch(/line 2: \[client\] Password: option names are case-sensitive for MySQL's clients/);
    expect(m1).toMatch(/write password$/);
    const m2 = refusal('[client]\npass=hunter2x\n');
    expect(m2).toMatch(
      /line 2: \[client\] pass is not an option name in full: .* as password; write the name/,
    );
    expect(refusal('[client]\nssl-c=x\n')).toMatch(/as ssl-ca or ssl-cert/);
    for (const m of [m1, m2]) expect(m).not.toContain('hunter2x');
    // The same names outside our groups are not ours to judge.
    expect(readMyCnf(cnf('[client]\nuser=u\n[mysqld]\nPassword=x\npass=y\n'))).toEqual({ user: 'u' });
  });
  it('no refusal shows the value of the line it names', () => {
    const secret = 'Zq9-secret-Zq9';
    const texts = [
      `[client]\npassword=${secret}\n!include /nope/x.cnf\n`,
      `[client]\npassword=${secret}\u00a0\n`,
      `password=${secret}\n[client]\n`,
      `[client]\n=${secret}\n`,
      `[client]\nPASSWORD=${secret}\n`,
      `[client]\npassw=${secret}\n`,
      `[client]\npassword=${secret}${'x'.repeat(4100)}\n`,
    ];
    for (const t of texts) expect(refusal(t)).not.toContain(secret);
  });
  it('a file with none of our groups is refused with the groups named', () => {
    expect(refusal('[mysql]\nuser=u\npassword=p\n')).toMatch(
      /^--mycnf: .*my\.cnf has no \[client\] section \(nor \[client-server\], \[client-mariadb\] or \[binlog-flusher\]\); expected for example:\n\[client\]\nuser=admin\npassword=\.\.\.$/,
    );
    expect(refusal('')).toMatch(/has no \[client\] section/);
    expect(refusal('[binlog_flusher]\nuser=u\n')).toMatch(
      /my\.cnf line 1: \[binlog_flusher\] is not \[binlog-flusher\]: the clients take "_" for "-" in option names, not in group names/,
    );
    // A group in an included file counts.
    const inc = cnf('[client]\nuser=inc\n', 'inc.cnf');
    expect(readMyCnf(cnf(`!include ${inc}\n`))).toEqual({ user: 'inc' });
  });
  it('names the input it was given (the action calls it mycnf)', () => {
    expect(() => readMyCnf(cnf('[client]\nuser\n'), 'mycnf')).toThrow(
      /^mycnf: .*line 2: \[client\] user has no value/,
    );
  });
});

describe('reading the files', () => {
  it('keeps the messages for a missing file, a directory, binary bytes', () => {
    const d = tempDir();
    expect(() => readMyCnf(join(d, 'none.cnf'))).toThrow(/^--mycnf: .*none\.cnf does not exist$/);
    expect(() => readMyCnf(d)).toThrow(/^--mycnf: .* is a directory, not an option file$/);
    expect(() => readMyCnf(cnf('\u0000\u0001binary'))).toThrow(
      /^--mycnf: .*my\.cnf is not a text option file$/,
    );
  });
  it('a missing default ~/.my.cnf reads as nothing; an include it names must exist', () => {
    const home = process.env.HOME;
    const d = tempDir();
    process.env.HOME = d;
    try {
      expect(readMyCnf(undefined)).toEqual({});
      writeFileSync(join(d, '.my.cnf'), `[client]\nuser=u\n!include ${join(d, 'gone.cnf')}\n`, {
        mode: 0o600,
      });
      expect(() => readMyCnf(undefined)).toThrow(
        /gone\.cnf does not exist \(named by !include .*\.my\.cnf line 3\)$/,
      );
    } finally {
      process.env.HOME = home;
    }
  });
  it.skipIf(process.getuid?.() === 0)(
    'refuses a file it may not read (skipped as root, who reads any file)',
    () => {
      const f = cnf('[client]\nuser=u\n');
      chmodSync(f, 0o000);
      expect(() => readMyCnf(f)).toThrow(/^--mycnf: .*my\.cnf cannot be read \(permission denied\)$/);
    },
  );
  it('refuses a file every user may write, as the clients ignore it', () => {
    const f = cnf('[client]\nuser=u\n');
    chmodSync(f, 0o666);
    expect(() => readMyCnf(f)).toThrow(/my\.cnf is writable by every user, .* chmod o-w it$/);
  });
  it('parseMyCnf reads text as if it were the named file', () => {
    expect(parseMyCnf('[client]\nuser=u # me\npassword=a;b\n', 'f')).toEqual({ user: 'u', password: 'a;b' });
    expect(() => parseMyCnf('[mysqld]\nport=1\n', 'f')).toThrow(/^--mycnf: f has no \[client\] section/);
    expect(() => parseMyCnf('user=u\n', 'f', 'mycnf')).toThrow(/^mycnf: f line 1: an option before any/);
  });
});
