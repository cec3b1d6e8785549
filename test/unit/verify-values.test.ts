/**
 * verify by value, the pure parts: how columns are read, the canonical form of each kind from both
 * sides (the pairs below are what the binlog reader and the server really handed over, on MariaDB
 * 10.11 and MySQL 9.7), the multiset digest, when values may be compared, and how differences read.
 */
import { describe, expect, it } from 'vitest';
import type { Column, Index } from '../../src/model/table.js';
import {
  NotComparable,
  canonicalJson,
  decimalText,
  inet6Bytes,
  jsonNumber,
  rowCanon,
  rowText,
  unwrappedTimestamp,
} from '../../src/verify/canonical.js';
import { BinlogSides } from '../../src/verify/compare.js';
import {
  baseType,
  parseMembers,
  planColumns,
  readerMembers,
  type ValueColumn,
} from '../../src/verify/columns.js';
import { SideDigest, planTable } from '../../src/verify/digest.js';
import { RowMultiset, bucketsFor, hashHex, rowHash } from '../../src/verify/multiset.js';
import { selectEveryColumn } from '../../src/verify/sql.js';
import { Touches, differences, keyValueText, namesTable, serverWideReason } from '../../src/verify/values.js';

const col = (name: string, columnType: string, charset: string | null = null): Column => ({
  name,
  columnType,
  nullable: true,
  generated: false,
  invisible: false,
  charset,
  collation: charset ? `${charset}_bin` : null,
  defaultExpression: false,
  autoIncrement: false,
});
const PK: Index = {
  name: 'PRIMARY',
  primary: true,
  unique: true,
  kind: 'BTREE',
  parts: [{ column: 'id', descending: false, nullable: false }],
  invisible: false,
  multiValued: false,
};
const vc = (over: Partial<ValueColumn> & Pick<ValueColumn, 'kind'>): ValueColumn => ({
  name: 'c',
  charset: null,
  expression: 'column',
  ...over,
});
const hex = (h: string) => Buffer.from(h, 'hex');
const txt = (s: string) => Buffer.from(s, 'latin1');
/** Both sides of one column must give the same canonical value. */
function same(c: ValueColumn, fromBinlog: unknown, fromTable: Buffer | null): string | null {
  const canon = rowCanon([c]);
  const a = canon.fromBinlog({ [c.name]: fromBinlog })[0]!;
  const b = canon.fromTable([fromTable])[0]!;
  expect(a).toBe(b);
  return a;
}

describe('verify by value: columns', () => {
  it('reads the type name and ENUM/SET members as the server and as the reader read them', () => {
    expect(baseType('int(11) unsigned zerofill')).toBe('int');
    expect(parseMembers("enum('a','b c','','it''s')")).toEqual(['a', 'b c', '', "it's"]);
    expect(readerMembers("enum('a','b c','','it''s')", 5)).toEqual(['a', 'b c', '', "it''s"]);
    expect(readerMembers("set('x','y,z')", 4)).toEqual(['x', '', "z'"]);
  });
  it('plans each kind per flavour, reads ENUM/SET as numbers and floats as doubles', () => {
    const p = planColumns(
      [
        col('i', 'bigint unsigned'),
        col('f', 'float'),
        col('e', "enum('a','b')", 'utf8mb4'),
        col('j', 'json', 'utf8mb4'),
        col('c', 'char(3)', 'latin1'),
        col('bc', 'binary(3)'),
        col('g', 'point'),
        col('u', 'uuid'),
        col('v', 'vector(3)'),
      ],
      'mariadb',
    );
    expect(p.columns.map((c) => `${c.name}:${c.kind}:${c.expression}`)).toEqual([
      'i:int:column',
      'f:float:double',
      'e:enum:number',
      'j:text:column',
      'c:char:column',
      'bc:binary:column',
      'g:geometry:column',
      'u:uuid:column',
      'v:bytes:column',
    ]);
    expect(p.inexact).toEqual([]);
    expect(planColumns([col('j', 'json')], 'mysql').columns[0]!.kind).toBe('json');
    expect(planColumns([col('u', 'uuid')], 'mysql').inexact).toEqual([
      'column u: type uuid is not compared by value',
    ]);
  });
  it('names what cannot be compared exactly, and what the reader cannot read at all', () => {
    const p = planColumns(
      [
        col('e', "enum('a,b','c')", 'utf8mb4'),
        col('s', "set('it''s')", 'utf8mb4'),
        col('y', 'year(2)'),
        col('d', 'varchar(3)', 'dec8'),
      ],
      'mariadb',
    );
    expect(p.inexact).toEqual([
      'column e: a member of its ENUM holds a comma or a quote, which the binlog reader misreads',
      'column s: a member of its SET holds a comma or a quote, which the binlog reader misreads',
      'column y: YEAR(2) shows two digits where the binlog has the year',
      'column d: the binlog reader cannot decode character set dec8',
    ]);
    // MySQL's VECTOR is read as the BLOB it is on the wire (zongji-vector.ts): bytes, compared exactly.
    expect(planColumns([col('v', 'vector(3)')], 'mysql')).toEqual({
      columns: [{ name: 'v', kind: 'bytes', charset: null, expression: 'column' }],
      inexact: [],
    });
  });
  it('selects every column by name, ENUM/SET as numbers, FLOAT/DOUBLE as exact doubles', () => {
    const p = planColumns(
      [col('we`ird', 'int'), col('e', "set('a')", 'utf8mb4'), col('d', 'double')],
      'mysql',
    );
    expect(selectEveryColumn('s', 't`x', p.columns)).toBe(
      'SELECT `we``ird`, `e` + 0, `d` + 0e0 FROM `s`.`t``x`',
    );
  });
});

describe('verify by value: each kind from both sides', () => {
  it('integers, zero-filled or beyond 2^53; decimals; floats by their double', () => {
    same(vc({ kind: 'int' }), 5, txt('00005'));
    same(vc({ kind: 'int' }), '18446744073709551615', txt('18446744073709551615'));
    same(vc({ kind: 'int' }), '-9223372036854775808', txt('-9223372036854775808'));
    same(
      vc({ kind: 'decimal' }),
      '-0.000000000000000000000000000001',
      txt('-0.000000000000000000000000000001'),
    );
    expect(decimalText('-0.00')).toBe('0.00');
    expect(decimalText('0012.50')).toBe('12.50');
    // FLOAT 0.1 and 16777217: the binlog holds the float, `col + 0e0` gives the same double.
    same(vc({ kind: 'float' }), 0.10000000149011612, txt('0.10000000149011612'));
    same(vc({ kind: 'float' }), 16777216, txt('16777216'));
    same(vc({ kind: 'float' }), 123456789012345680000, txt('1.2345678901234568e20'));
    same(vc({ kind: 'float' }), -0, txt('0'));
    // A float's own text (6 digits) would not do:
    expect(rowCanon([vc({ kind: 'float' })]).fromTable([txt('1.23457')])[0]).not.toBe(
      rowCanon([vc({ kind: 'float' })]).fromBinlog({ c: 1.2345677614212036 })[0],
    );
  });
  it('BIT as bytes, YEAR 0000 (decoded 1900), temporal text', () => {
    same(vc({ kind: 'bit' }), hex('1555'), hex('1555'));
    same(vc({ kind: 'bit' }), hex('0000'), hex('0000'));
    expect(same(vc({ kind: 'year' }), 1900, txt('0000'))).toBe('0');
    same(vc({ kind: 'year' }), 2155, txt('2155'));
    same(vc({ kind: 'temporal' }), '-838:59:59.000000', txt('-838:59:59.000000'));
    same(vc({ kind: 'temporal' }), '0000-00-00 00:00:00.000000', txt('0000-00-00 00:00:00.000000'));
  });
  it('character data by its decoded text; CHAR without trailing spaces; BINARY without trailing zeros', () => {
    same(vc({ kind: 'text', charset: 'latin1' }), '€é\ufffd\ufffd', hex('80e9819d'));
    same(vc({ kind: 'text', charset: 'utf16' }), '日本', hex('65e5672c'));
    same(vc({ kind: 'text', charset: 'utf8mb4' }), hex('7631'), txt('v1')); // the reader handed bytes over
    same(vc({ kind: 'char', charset: 'utf32' }), 'y', hex('0000007900000020'));
    same(vc({ kind: 'text', charset: 'utf8mb4' }), 'ab  ', txt('ab  '));
    expect(rowCanon([vc({ kind: 'text', charset: 'utf8mb4' })]).fromTable([txt('ab')])[0]).not.toBe('ab  ');
    same(vc({ kind: 'binary' }), hex('6162000000'), hex('6162'));
    same(vc({ kind: 'bytes' }), hex('00ff00'), hex('00ff00'));
    expect(() => rowCanon([vc({ kind: 'bytes' })]).fromBinlog({ c: 'text' })).toThrow(NotComparable);
  });
  it("ENUM and SET by number (ENUM 0 is the reader's undefined)", () => {
    const e = vc({ kind: 'enum', members: ['a', 'b c', '', "it's"] });
    same(e, 'b c', txt('2'));
    same(e, '', txt('3'));
    same(e, undefined, txt('0'));
    const s = vc({ kind: 'set', members: ['x', 'y', 'z'] });
    same(s, 'x,z', txt('5'));
    same(s, '', txt('0'));
    expect(() => rowCanon([e]).fromBinlog({ c: 'nope' })).toThrow(/not in its definition/);
  });
  it('MySQL JSON as the reader writes it and as the server does', () => {
    const j = vc({ kind: 'json' });
    same(
      j,
      '{"a": [1, 2.5, "x", 1e+300, 12345678901234567890, -9223372036854775808, true, null, 100, 0.1], "b": 1}',
      txt(
        '{"a": [1, 2.5, "x", 1e300, 12345678901234567890, -9223372036854775808, true, null, 100.0, 0.1], "b": 1}',
      ),
    );
    same(
      j,
      '{"d": "2020-01-02", "t": "10:11:12.500000", "big": 18446744073709551615, "dec": "1.50"}',
      txt('{"d": "2020-01-02", "t": "10:11:12.500000", "dec": 1.50, "big": 18446744073709551615}'),
    );
    same(j, '"str ü \\u0000"', Buffer.from('"str ü \\u0000"', 'utf8'));
    expect(canonicalJson('{"b":1,"a":{"y":[],"x":{}}}')).toBe('{"a":{"x":{},"y":[]},"b":1}');
    expect(canonicalJson('{"a":1}')).not.toBe(canonicalJson('{"a":2}'));
    expect(canonicalJson('[9007199254740993]')).not.toBe(canonicalJson('[9007199254740992]'));
    expect(jsonNumber('123456789012345680000')).toBe(jsonNumber('1.2345678901234568e20'));
    expect(() => canonicalJson('{"a":')).toThrow(NotComparable);
  });
  it('geometry by coordinates and nesting (the reader drops the SRID)', () => {
    const g = vc({ kind: 'geometry' });
    same(g, { x: 1.5, y: -2 }, hex('000000000101000000000000000000f83f00000000000000c0'));
    same(
      g,
      [
        { x: 1, y: 1 },
        [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      ],
      hex(
        '000000000107000000020000000101000000000000000000f03f000000000000f03f01020000000200000000000000000000000000000000000000000000000000f03f000000000000f03f',
      ),
    );
    same(g, { x: 1e300, y: 0 }, hex('e610000001010000009c7500883ce4377e0000000000000080'));
  });
  it('INET4, INET6 and UUID by their bytes, from text or from bytes', () => {
    same(vc({ kind: 'inet6' }), '::ffff:1.2.3.4', txt('::ffff:1.2.3.4'));
    same(vc({ kind: 'inet6' }), hex('20010db8000000000000ff0000428329'), txt('2001:db8::ff00:42:8329'));
    same(vc({ kind: 'inet4' }), hex('0a000001'), txt('10.0.0.1'));
    same(
      vc({ kind: 'uuid' }),
      hex('123e4567e89b12d3a456426614174000'),
      txt('123e4567-e89b-12d3-a456-426614174000'),
    );
    expect(inet6Bytes('fe80::1:0:0:1')!.toString('hex')).toBe('fe800000000000000001000000000001');
    expect(inet6Bytes('1::2::3')).toBeUndefined();
  });
  it('a row missing a column in the binlog is not comparable; NULL differs from every string', () => {
    const canon = rowCanon([
      vc({ kind: 'int', name: 'a' }),
      vc({ kind: 'text', name: 'b', charset: 'utf8mb4' }),
    ]);
    expect(() => canon.fromBinlog({ a: 1 })).toThrow(/no column b/);
    expect(rowText([null, ''])).not.toBe(rowText(['', null]));
    expect(rowText(['1:', ''])).not.toBe(rowText(['1', ':']));
  });
});

describe('verify by value: the multiset digest', () => {
  const h = (s: string) => rowHash(s);
  it('is order-independent, and a row twice with another missing changes it', () => {
    const a = new RowMultiset(4);
    const b = new RowMultiset(4);
    for (const r of ['x', 'y', 'z']) a.add(h(r), 1);
    for (const r of ['z', 'x', 'y']) b.add(h(r), 1);
    expect(a.differing(b)).toEqual([]);
    const c = new RowMultiset(4);
    for (const r of ['x', 'x', 'z']) c.add(h(r), 1);
    expect(c.rows).toBe(3);
    expect(a.differing(c)).toEqual([1]);
  });
  it('sums with carries across words, and merges like adding', () => {
    const a = new RowMultiset(1);
    a.add(Uint32Array.from([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]), 0);
    a.add(Uint32Array.from([1, 0, 0, 0]), 0);
    expect([...a.sums]).toEqual([0, 0, 0, 0]); // 2^128 - 1 + 1 wraps to 0
    const b = new RowMultiset(1);
    const c = new RowMultiset(1);
    c.add(h('p'), 0);
    b.merge(c);
    expect(b.differing(c)).toEqual([]);
  });
  it('hashes without collisions on many near-identical rows, and one changed character changes about half the bits', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(hashHex(rowHash(rowText([String(i), `note-${i % 7}`, null]))));
    expect(seen.size).toBe(100_000);
    const bits = (x: number) => x.toString(2).replaceAll('0', '').length;
    let flipped = 0;
    for (let i = 0; i < 1000; i++) {
      const a = rowHash(`row ${i} a`);
      const b = rowHash(`row ${i} b`);
      for (let w = 0; w < 4; w++) flipped += bits((a[w]! ^ b[w]!) >>> 0);
    }
    expect(flipped / 1000).toBeGreaterThan(56);
    expect(flipped / 1000).toBeLessThan(72);
    expect(hashHex(rowHash(''))).not.toBe(hashHex(rowHash('\u0000')));
  });
  it('sizes buckets to about 128 rows, up to 4096', () => {
    expect(bucketsFor(0)).toBe(1);
    expect(bucketsFor(1000)).toBe(8);
    expect(bucketsFor(1_000_000)).toBe(4096);
  });
  it('keeps the rows of sampled buckets, pending rows only once their transaction is in the range', () => {
    const shape = {
      columns: [col('id', 'int'), col('v', 'varchar(9)', 'utf8mb4')],
      indexes: [PK],
      partitions: [],
      engine: 'InnoDB',
    };
    const plan = planTable('s', 't', shape, 'mariadb', 10);
    expect(plan.key).toEqual([0]);
    const side = new SideDigest(plan, new Set([0]));
    side.add(['1', 'a']);
    side.add(['2', 'b'], true);
    side.settle(false);
    side.add(['3', 'c'], true);
    side.settle(true);
    expect(side.all.rows).toBe(2);
    expect([...side.sample.keys()]).toEqual([rowText(['1']), rowText(['3'])]);
  });
});

describe('verify by value: when values are compared', () => {
  const base = { flavour: 'mysql' as const, stoppedDuringRun: true };
  it('a server that logs what its applier applies, or is no replica: compare', () => {
    expect(serverWideReason({ ...base, logsApplied: true, replica: true })).toBeUndefined();
    expect(serverWideReason({ ...base, logsApplied: false, replica: false })).toBeUndefined();
  });
  it('a replica that does not: only when MySQL GTIDs show nothing ran since the run', () => {
    expect(
      serverWideReason({ ...base, logsApplied: false, replica: true, gtidSinceEnd: '' }),
    ).toBeUndefined();
    expect(serverWideReason({ ...base, logsApplied: false, replica: true, gtidSinceEnd: 'u:5-9' })).toMatch(
      /log_replica_updates=OFF.*u:5-9/,
    );
    expect(
      serverWideReason({
        ...base,
        logsApplied: false,
        replica: true,
        gtidSinceEnd: '',
        stoppedDuringRun: false,
      }),
    ).toMatch(/cannot be ruled out/);
    expect(serverWideReason({ ...base, flavour: 'mariadb', logsApplied: false, replica: undefined })).toMatch(
      /log_slave_updates=OFF/,
    );
  });
  it("finds the first write or mention of each table, never quoting a statement; the run's own are not", () => {
    const tables = [
      { schema: 's', table: 't' },
      { schema: 's', table: 'u' },
    ];
    const at = (position: number) => ({ file: 'binlog.000002', position });
    const after = new Touches(tables);
    after.see({ ...at(10), kind: 'query', sql: 'BEGIN' });
    after.see({ ...at(20), kind: 'rows', op: 'update', schema: 's', table: 't', rows: 1 });
    after.see({ ...at(30), kind: 'query', sql: "UPDATE `s`.`u` SET secret = 'hunter2'" });
    after.see({ ...at(40), kind: 'rows', op: 'delete', schema: 's', table: 't', rows: 1 });
    expect(after.of('s', 't')).toBe('update rows at binlog.000002:20');
    expect(after.of('s', 'u')).toBe('a statement at binlog.000002:30 names it');
    const inside = new Touches(tables, true);
    inside.see({ ...at(10), kind: 'query', sql: 'CREATE TABLE `s`.`t` (\n  `id` int\n)' });
    inside.see({ ...at(20), kind: 'rows', op: 'insert', schema: 's', table: 't', rows: 5 });
    expect(inside.first.size).toBe(0);
    expect(namesTable('INSERT INTO t2 VALUES (1)', 't')).toBe(false);
    expect(namesTable('ALTER TABLE `s`.`t` ADD x INT', 't')).toBe(true);
    expect(namesTable('drop table T', 't')).toBe(true);
  });
});

describe('verify by value: how a difference reads', () => {
  const shape = (key: boolean) => ({
    columns: [col('id', 'int'), col('name', 'varchar(20)', 'utf8mb4'), col('v', 'int')],
    indexes: key ? [PK] : [],
    partitions: [],
    engine: 'InnoDB',
  });
  const row = (values: (string | null)[]) => ({ values, hash: hashHex(rowHash(rowText(values))) });
  it('names the key and the columns, never a value', () => {
    const plan = planTable('s', 't', shape(true), 'mariadb', 10);
    const k = (id: string) => rowText([id]);
    const lines = differences(
      plan,
      new Map([
        [k('5'), [row(['5', 'secret-a', '1'])]],
        [k('6'), [row(['6', 'x', '1'])]],
        [k('8'), [row(['8', 'same', '1'])]],
      ]),
      new Map([
        [k('5'), [row(['5', 'secret-b', '2'])]],
        [k('7'), [row(['7', 'y', '1'])]],
        [k('8'), [row(['8', 'same', '1'])]],
      ]),
    );
    expect(lines).toEqual([
      'id=5: columns name, v differ',
      'id=6: in the binlog once, not in the table',
      'id=7: in the table once, not in the binlog',
    ]);
    expect(lines.join()).not.toMatch(/secret/);
  });
  it('without a key: a row by its hash, with how often each side has it', () => {
    const plan = planTable('s', 't', shape(false), 'mariadb', 10);
    const r = row(['1', 'dup', '1']);
    const lines = differences(plan, new Map([[r.hash, [r]]]), new Map([[r.hash, [r, r]]]));
    expect(lines).toEqual([
      `a row without a key (~${r.hash.slice(0, 8)}): in the binlog once, in the table twice`,
    ]);
  });
  it('shows numbers, dates and members in full; character, binary and address keys hashed', () => {
    expect(keyValueText(vc({ kind: 'int' }), '42')).toBe('42');
    expect(keyValueText(vc({ kind: 'temporal' }), '2024-01-01')).toBe('2024-01-01');
    expect(keyValueText(vc({ kind: 'enum', members: ['a', 'b'] }), '2')).toBe("'b'");
    expect(keyValueText(vc({ kind: 'bit' }), '\u0001\u0000')).toBe('256');
    expect(keyValueText(vc({ kind: 'text' }), 'alice@example.com')).toMatch(/^~[0-9a-f]{8}$/);
    expect(keyValueText(vc({ kind: 'inet6' }), '00'.repeat(16))).toMatch(/^~[0-9a-f]{8}$/);
  });
});

describe('verify by value: the binlog side', () => {
  const shape = {
    columns: [col('id', 'int'), col('u', 'varchar(9)', 'utf16'), col('a', 'varchar(9)', 'utf8mb4')],
    indexes: [PK],
    partitions: [],
    engine: 'InnoDB',
  };
  const plan = planTable('s', 't', shape, 'mariadb', 10);
  it("tells the reader each character column's own character set", () => {
    const sides = new BinlogSides([plan]);
    expect(sides.charsets('s', 't')).toEqual(
      new Map([
        ['u', 'utf16'],
        ['a', 'utf8mb4'],
      ]),
    );
    expect(sides.charsets('s', 'other')).toBeUndefined();
  });
  it('a column the reader decodes in another character set is not compared (utf8mb3 for utf8mb4 is the same)', () => {
    const sides = new BinlogSides([plan]);
    const cols = (u: string) => [
      { name: 'id', charset: null },
      { name: 'u', charset: u },
      { name: 'a', charset: 'utf8mb3' },
    ];
    sides.rows('s', 't', [{ id: 1, u: 'x', a: 'y' }], false, cols('utf16'));
    expect(sides.broken.size).toBe(0);
    expect(sides.of('s', 't')!.all.rows).toBe(1);
    sides.rows('s', 't', [{ id: 2, u: 'x', a: 'y' }], false, cols('utf8mb4'));
    expect([...sides.broken.values()]).toEqual([
      'column u: the binlog reader decodes it as utf8mb4, not as utf16',
    ]);
  });
});

describe('verify by value: TIMESTAMP past 2038 (MariaDB 11.5+)', () => {
  it("puts back what the reader's signed 32-bit seconds wrapped, and leaves every other value alone", () => {
    // 2^32 - 1 s read as -1 s; 2^31 s read as -2^31 s.
    expect(unwrappedTimestamp('1969-12-31 23:59:59')).toBe('2106-02-07 06:28:15');
    expect(unwrappedTimestamp('1901-12-13 20:45:52.000001')).toBe('2038-01-19 03:14:08.000001');
    expect(unwrappedTimestamp('2038-01-19 03:14:07')).toBe('2038-01-19 03:14:07');
    expect(unwrappedTimestamp('1970-01-01 00:00:01')).toBe('1970-01-01 00:00:01');
    expect(unwrappedTimestamp('0000-00-00 00:00:00')).toBe('0000-00-00 00:00:00');
    expect(unwrappedTimestamp('0000-00-00 00:00:00.000000')).toBe('0000-00-00 00:00:00.000000');
  });
});
