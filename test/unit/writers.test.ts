import { describe, expect, it } from 'vitest';
import { granteeUser, usersWith, writesInto } from '../../src/inspect/writers.js';
import { dialectFor, parseVersion } from '../../src/flavours/index.js';

const T = [
  { schema: 'shop', table: 'orders' },
  { schema: 'shop', table: 'odd`name' },
];

describe('writesInto', () => {
  it.each([
    ['INSERT INTO orders VALUES (NEW.id)', ['orders']],
    ['insert into shop.orders select 1', ['orders']],
    ['REPLACE INTO `orders` SET id = 1', ['orders']],
    ['UPDATE shop.`orders` SET n = n + 1', ['orders']],
    ['DELETE FROM `odd``name` WHERE 1', ['odd`name']],
    ['BEGIN INSERT INTO audit VALUES (1); UPDATE orders SET x = 1; END', ['orders']],
  ])('%s writes into %j', (sql, names) => {
    expect(writesInto(sql, T).map((t) => t.table)).toEqual(names);
  });
  it.each([
    'SET NEW.total = (SELECT SUM(x) FROM orders)', // reads only
    'INSERT INTO orders_archive VALUES (1)', // another table whose name starts the same
    'INSERT INTO my_orders VALUES (1)',
  ])('%s writes into none', (sql) => {
    expect(writesInto(sql, T)).toEqual([]);
  });
});

describe('who may write despite read_only', () => {
  it('reads the user out of a grantee', () => {
    expect(granteeUser("'app'@'%'")).toBe('app');
    expect(granteeUser("'o''brien'@'10.0.0.1'")).toBe("o'brien");
  });
  it('collects the bypass privileges per user, whatever the host', () => {
    const m = usersWith(
      [
        { grantee: "'dba'@'%'", privilege: 'READ_ONLY ADMIN' },
        { grantee: "'dba'@'localhost'", privilege: 'SUPER' },
        { grantee: "'app'@'%'", privilege: 'SELECT' },
      ],
      ['READ_ONLY ADMIN', 'SUPER'],
    );
    expect([...m]).toEqual([['dba', ['READ_ONLY ADMIN', 'SUPER']]]);
  });
  it('per flavour: what writes under read_only, and what may switch it', () => {
    const p = (v: string) => dialectFor(parseVersion(v)).privileges;
    expect(p('10.11.19-MariaDB')).toMatchObject({
      readOnlyBypass: ['READ_ONLY ADMIN'],
      setReadOnly: 'READ_ONLY ADMIN',
    });
    expect(p('10.6.20-MariaDB').readOnlyBypass).toEqual(['READ_ONLY ADMIN', 'SUPER']);
    expect(p('10.4.30-MariaDB')).toMatchObject({ readOnlyBypass: ['SUPER'], setReadOnly: 'SUPER' });
    expect(p('8.0.40')).toMatchObject({
      readOnlyBypass: ['CONNECTION_ADMIN', 'SUPER'],
      setReadOnly: 'SYSTEM_VARIABLES_ADMIN',
    });
    expect(p('8.4.3').readOnlyBypass).toEqual(['CONNECTION_ADMIN', 'SUPER']);
  });
});
