import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMyCnf, readMyCnf } from '../../src/config/mycnf.js';
import {
  checkHost,
  parseBoolInput,
  parseEnumInput,
  parseIntInput,
  parseSchemas,
  parseTables,
  validateSelection,
} from '../../src/model/settings.js';
import { VERSION } from '../../src/model/tool-version.js';
import pkg from '../../package.json' with { type: 'json' };
import { tempDir } from '../support/temp.js';

describe('inputs', () => {
  it('numbers within range, naming the input', () => {
    const r = { min: 1, max: 64 };
    expect(parseIntInput('--concurrency', undefined, 4, r)).toBe(4);
    expect(parseIntInput('--concurrency', ' 8 ', 4, r)).toBe(8);
    expect(() => parseIntInput('--concurrency', '0', 4, r)).toThrow(
      /--concurrency: expected a whole number from 1 to 64, got 0/,
    );
    expect(() => parseIntInput('--concurrency', '2.5', 4, r)).toThrow(/--concurrency/);
    expect(() => parseIntInput('--concurrency', 'abc', 4, r)).toThrow(/--concurrency/);
    expect(() => parseIntInput('--concurrency', '1e3', 4, r)).toThrow(/--concurrency/);
  });
  it('booleans and enums', () => {
    expect(parseBoolInput('x', 'TRUE', false)).toBe(true);
    expect(parseBoolInput('x', 'no', true)).toBe(false);
    expect(() => parseBoolInput('stop-replica', 'maybe', true)).toThrow(
      /stop-replica: expected true or false/,
    );
    expect(parseEnumInput('--ddl', 'NONE', 'create', ['create', 'none'])).toBe('none');
    expect(() => parseEnumInput('--ddl', 'drop', 'create', ['create', 'none'])).toThrow(
      /--ddl: expected one of create, none/,
    );
  });
  it('schema and table lists', () => {
    expect(parseSchemas('--db', 'a, b,a')).toEqual(['a', 'b']);
    expect(parseTables('--table', 'orders,shop.items,s.t.with.dots')).toEqual([
      { table: 'orders' },
      { schema: 'shop', table: 'items' },
      { schema: 's', table: 't.with.dots' },
    ]);
    for (const bad of ['a`b', "a'b", 'a;b', 'a\nb', 'a\u0000b', 'a\\b', ' a,,b']) {
      expect(() => parseTables('--table', bad), JSON.stringify(bad)).toThrow(/--table/);
    }
    expect(() => parseSchemas('--db', 'x'.repeat(65))).toThrow(/longer than 64/);
  });
  it('conflicting selection', () => {
    expect(() => validateSelection({ databases: ['a'], tables: [], skip: ['a'] })).toThrow(/--skip/);
  });
  it('hosts', () => {
    expect(checkHost('--host', ' db-1.example ')).toBe('db-1.example');
    expect(() => checkHost('--host', '')).toThrow(/required/);
    expect(() => checkHost('--host', 'user@db')).toThrow(/not a host/);
  });
  it('the version constant matches package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });
});

describe('my.cnf', () => {
  it('reads [client] with quotes, dashes and underscores', () => {
    const c = parseMyCnf(
      '[client]\nuser=admin\npassword="p#ss word"\nhost = db1\nport=3307\nssl_ca=/ca.pem\n[mysqld]\nport=1\n',
      'f',
    );
    expect(c).toEqual({
      user: 'admin',
      password: 'p#ss word',
      host: 'db1',
      port: '3307',
      'ssl-ca': '/ca.pem',
    });
  });
  it('refuses a file without a client section', () => {
    expect(() => parseMyCnf('[mysqld]\nport=1\n', 'f')).toThrow(/no \[client\] section/);
  });
  it('missing default file is fine; a named missing file is an error', () => {
    const d = tempDir('bf-cnf-');
    expect(() => readMyCnf(join(d, 'nope.cnf'))).toThrow(/--mycnf: .*does not exist/);
    expect(() => readMyCnf(d)).toThrow(/is a directory/);
    const f = join(d, 'ok.cnf');
    writeFileSync(f, '[client]\nuser=u\n');
    expect(readMyCnf(f)).toEqual({ user: 'u' });
  });
});
