/**
 * The masking rule (src/model/log.ts): a secret is masked where it stands as a whole token, never
 * inside an ordinary word; a secret of 1 to 3 characters only where a password is written.
 */
import { describe, expect, it } from 'vitest';
import { addSecret, redact, secretPattern } from '../../src/model/log.js';

const mask = (secret: string, text: string) => text.replace(secretPattern(secret), '***');

describe('a secret of 4 or more characters is masked as a whole token', () => {
  it.each([
    ['password=books', 'password=***'],
    ["IDENTIFIED BY 'books'", "IDENTIFIED BY '***'"],
    ['{"password":"books"}', '{"password":"***"}'],
    ['mysql://flusher:books@10.0.0.5:3306/app', 'mysql://flusher:***@10.0.0.5:3306/app'],
    ['mysql -u flusher -pbooks', 'mysql -u flusher -p***'],
    ['the password is books.', 'the password is ***.'],
    ['books', '***'],
    ['(books)', '(***)'],
    ['books books', '*** ***'],
  ])('%s', (text, want) => {
    expect(mask('books', text)).toBe(want);
  });

  it.each([
    'bookshelf',
    'notebooks',
    'bf_books',
    'books.t1',
    '`app`.`books2`',
    'app.books.t1',
    'db-books-1',
    '/var/lib/books/run.hashfile',
    'books$1',
    'booksé',
  ])('%s stays as written', (text) => {
    expect(mask('books', text)).toBe(text);
  });

  it('a secret with characters that are no token characters, or that regular expressions use', () => {
    // `!` is no token character: nothing needs to bound the secret on that side.
    expect(mask('p@ss:w0rd!', 'password=p@ss:w0rd! and p@ss:w0rd!x')).toBe('password=*** and ***x');
    expect(mask('p@ss:w0rd!', 'xp@ss:w0rd!')).toBe('xp@ss:w0rd!');
    expect(mask('a.b*c(d)$1', 'got a.b*c(d)$1 here; aXb*c(d)$1 stays')).toBe(
      'got *** here; aXb*c(d)$1 stays',
    );
    expect(mask('pässwörd', 'password=pässwörd; pässwörds')).toBe('password=***; pässwörds');
  });
});

describe('a secret of 1 to 3 characters is masked only where a password is written', () => {
  it.each([
    ['app', 'password=app', 'password=***'],
    ['app', 'Password: app', 'Password: ***'],
    ['app', "passwd = 'app'", "passwd = '***'"],
    ['app', 'MYSQL_PWD=app mysql', 'MYSQL_PWD=*** mysql'],
    ['app', "'app'", "'***'"],
    ['app', '{"password": "app"}', '{"password": "***"}'],
    ['app', 'mysql://u:app@h/db', 'mysql://u:***@h/db'],
    ['app', 'mysql -papp', 'mysql -p***'],
    ['a', 'password=a', 'password=***'],
    ['a', "user 'a'", "user '***'"],
    ['a', 'u:a@host', 'u:***@host'],
    ['1', 'pwd: 1', 'pwd: ***'],
  ])('%s in %s', (secret, text, want) => {
    expect(mask(secret, text)).toBe(want);
  });

  it.each([
    ['app', 'Replica applier stopped'],
    ['app', 'app.books: 200 rows'],
    ['app', 'set aside from applying them'],
    ['app', '--db app'],
    ['app', 'schema app: 3 tables'],
    ['app', "'apple'"],
    ['app', '{ "schema": "app", "table": "books" }'],
    ['app', 'password=apple'],
    ['app', 'bf_app.t'],
    ['a', 'a table was set aside, and data is back'],
    ['a', 'a.b'],
    ['a', 'password=ab'],
    ['1', '1 table, 10 rows, binlog.000001:1234'],
  ])('%s: %s stays as written', (secret, text) => {
    expect(mask(secret, text)).toBe(text);
  });
});

describe('redact', () => {
  it('masks every registered secret, overlapping finds as one, and leaves other text alone', () => {
    addSecret('hunter22');
    addSecret('hunter22x9');
    addSecret('x');
    expect(redact('password=hunter22x9 and hunter22')).toBe('password=*** and ***');
    expect(redact('x marks a box; password=x')).toBe('x marks a box; password=***');
    expect(redact('nothing here ***')).toBe('nothing here ***');
  });

  it('an empty value is never a secret', () => {
    addSecret('');
    addSecret(undefined);
    expect(redact('a b c')).toBe('a b c');
  });
});
