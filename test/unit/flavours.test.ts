import { describe, expect, it } from 'vitest';
import { parseVersion, rulesFor } from '../../src/flavours/index.js';
import { isDefaultExpression } from '../../src/inspect/shapes.js';
import type { Column, Index, IndexPart, TableShape } from '../../src/model/table.js';
import { chooseKey } from '../../src/plan/plan.js';

const mysql = rulesFor(parseVersion('9.7.4'));
const maria = rulesFor(parseVersion('11.8.9-MariaDB'));

const col = (name: string, over: Partial<Column> = {}): Column => ({
  name,
  columnType: 'int',
  nullable: false,
  generated: false,
  invisible: false,
  charset: null,
  collation: null,
  defaultExpression: false,
  autoIncrement: false,
  ...over,
});
const part = (column: string | undefined, over: Partial<IndexPart> = {}): IndexPart => ({
  column,
  descending: false,
  nullable: false,
  ...over,
});
const ix = (name: string, parts: IndexPart[], over: Partial<Index> = {}): Index => ({
  name,
  primary: name === 'PRIMARY',
  unique: name === 'PRIMARY',
  kind: 'BTREE',
  parts,
  invisible: false,
  multiValued: false,
  ...over,
});
const shape = (columns: Column[], indexes: Index[], over: Partial<TableShape> = {}): TableShape => ({
  engine: 'InnoDB',
  columns,
  indexes,
  partitions: [],
  mapKey: indexes.some((i) => i.primary) ? 'PRIMARY' : undefined,
  ...over,
});

describe('MySQL: what the twin is built without', () => {
  it('rebuilds a descending primary key ascending on the same columns and prefixes', () => {
    const s = shape(
      [col('a'), col('b', { columnType: 'varchar(20)' })],
      [ix('PRIMARY', [part('a', { descending: true }), part('b', { prefix: 5 })])],
    );
    expect(mysql.twinEdits(s).primaryKey).toEqual({
      replaces: 'PRIMARY',
      columns: [{ column: 'a' }, { column: 'b', prefix: 5 }],
    });
    expect(mysql.twinEdits(s).droppedIndexes).toEqual([]);
  });
  it('keeps an ascending primary key as it is', () => {
    expect(mysql.twinEdits(shape([col('a')], [ix('PRIMARY', [part('a')])])).primaryKey).toBeUndefined();
  });
  it('drops descending, functional, multi-valued and SPATIAL secondary indexes, keeps the others', () => {
    const s = shape(
      [col('a'), col('j', { columnType: 'json' }), col('p', { columnType: 'point' })],
      [
        ix('PRIMARY', [part('a')]),
        ix('d', [part('a', { descending: true })]),
        ix('f', [part(undefined, { expression: '(`a` * 2)' })]),
        ix('mv', [part(undefined, { expression: 'cast(... as unsigned array)' })], { multiValued: true }),
        ix('sp', [part('p')], { kind: 'SPATIAL' }),
        ix('ft', [part('j')], { kind: 'FULLTEXT' }),
        ix('inv', [part('a')], { invisible: true }),
        ix('h', [part('a')], { kind: 'HASH' }),
      ],
    );
    expect(mysql.twinEdits(s).droppedIndexes).toEqual(['d', 'f', 'mv', 'sp']);
  });
  it('re-creates generated, expression-default and SRID columns as plain ones (SRID 0 stays)', () => {
    const s = shape(
      [
        col('id'),
        col('g', { generated: 'virtual' }),
        col('u', { columnType: 'binary(16)', defaultExpression: true }),
        col('geo', { columnType: 'point', srid: 4326 }),
        col('flat', { columnType: 'point', srid: 0 }),
      ],
      [],
    );
    expect(mysql.twinEdits(s).plainColumns).toEqual(['g', 'u', 'geo']);
  });
  it('takes a secondary engine off', () => {
    expect(mysql.twinEdits(shape([col('a')], [], { secondaryEngine: 'RAPID' })).dropSecondaryEngine).toBe(
      true,
    );
    expect(mysql.twinEdits(shape([col('a')], [])).dropSecondaryEngine).toBe(false);
  });
});

describe('MariaDB: what the twin is built without', () => {
  it('drops SPATIAL, VECTOR and HASH keys, never the primary key; keeps descending ones', () => {
    const s = shape(
      [col('a'), col('p', { columnType: 'point' })],
      [
        ix('PRIMARY', [part('a', { descending: true })], { kind: 'HASH' }),
        ix('g', [part('p')], { kind: 'SPATIAL' }),
        ix('t', [part('a')], { kind: 'HASH', unique: true }),
        ix('b', [part('a', { descending: true })]),
        ix('f', [part('a')], { kind: 'FULLTEXT' }),
        ix('v', [part('a')], { kind: 'VECTOR' }),
      ],
    );
    const e = maria.twinEdits(s);
    expect(e.droppedIndexes).toEqual(['g', 't']);
    expect(e.droppedFirst).toEqual(['v']);
    expect(e.primaryKey).toBeUndefined();
  });
  it('re-creates only generated columns (expression defaults are fine on MariaDB)', () => {
    const s = shape([col('g', { generated: 'stored' }), col('d', { defaultExpression: true })], []);
    expect(maria.twinEdits(s).plainColumns).toEqual(['g']);
  });
});

describe('keys that cut chunks', () => {
  it('prefers the primary key, even descending', () => {
    const k = chooseKey(mysql, [
      ix('u', [part('c')], { unique: true }),
      ix('PRIMARY', [part('a', { descending: true }), part('c')]),
    ]);
    expect(k).toEqual({ index: 'PRIMARY', columns: ['a', 'c'] });
  });
  it('never an invisible, functional, prefixed, nullable, multi-valued or non-BTREE unique key', () => {
    for (const rules of [mysql, maria]) {
      expect(
        chooseKey(rules, [
          ix('inv', [part('a')], { unique: true, invisible: true }),
          ix('fn', [part(undefined, { expression: 'lower(`c`)' })], { unique: true }),
          ix('pre', [part('c', { prefix: 4 })], { unique: true }),
          ix('nul', [part('b', { nullable: true })], { unique: true }),
          ix('mv', [part(undefined)], { unique: true, multiValued: true }),
          ix('h', [part('a')], { unique: true, kind: 'HASH' }),
          ix('nu', [part('a')]),
        ]),
      ).toBeUndefined();
    }
  });
  it('takes the narrowest usable unique key', () => {
    expect(
      chooseKey(maria, [
        ix('wide', [part('a'), part('c')], { unique: true }),
        ix('narrow', [part('c')], { unique: true }),
      ]),
    ).toEqual({ index: 'narrow', columns: ['c'] });
  });
});

describe('the primary key a table map names', () => {
  it('an implicit one (a unique NOT NULL key, even descending) becomes explicit in the twin', () => {
    const s = shape(
      [col('a'), col('b')],
      [ix('u', [part('a', { descending: true }), part('b')], { unique: true })],
      {
        mapKey: 'u',
      },
    );
    for (const rules of [mysql, maria]) {
      const e = rules.twinEdits(s);
      expect(e.primaryKey).toEqual({ replaces: 'u', columns: [{ column: 'a' }, { column: 'b' }] });
      expect(e.droppedIndexes).toEqual([]);
    }
  });
  it('where the real table has none, the twin keeps no unique key that could become one', () => {
    const s = shape(
      [col('a'), col('k', { generated: 'virtual' })],
      [
        ix('uk', [part('k')], { unique: true }),
        ix('un', [part('a', { nullable: true })], { unique: true }),
        ix('plain', [part('a')]),
      ],
    );
    expect(mysql.twinEdits(s).droppedIndexes).toEqual(['uk']);
  });
});

describe('what is refused up front', () => {
  const gipk = shape(
    [col('my_row_id', { columnType: 'bigint unsigned', autoIncrement: true, invisible: true }), col('v')],
    [ix('PRIMARY', [part('my_row_id')])],
  );
  it("MySQL's generated invisible primary key (on InnoDB, where MySQL marks it)", () => {
    expect(mysql.refusal(gipk)?.message).toMatch(/has_generated_invisible_primary_key/);
    expect(mysql.refusal({ ...gipk, engine: 'MyISAM' })).toBeUndefined();
    const visible = { ...gipk, columns: [{ ...gipk.columns[0]!, invisible: false }, gipk.columns[1]!] };
    expect(mysql.refusal(visible)).toBeUndefined();
  });
  it("MariaDB's long UNIQUE keys (hash-backed, outside MEMORY)", () => {
    const lu = shape(
      [col('id'), col('t', { columnType: 'text' })],
      [ix('PRIMARY', [part('id')]), ix('ut', [part('t')], { unique: true, kind: 'HASH' })],
    );
    expect(maria.refusal(lu)?.message).toMatch(/ut add a hidden hash column \(DB_ROW_HASH_n\)/);
    expect(maria.refusal({ ...lu, engine: 'MEMORY' })).toBeUndefined();
  });
  it('nothing else, on either flavour', () => {
    expect(mysql.refusal(shape([col('a')], []))).toBeUndefined();
    expect(maria.refusal(gipk)).toBeUndefined();
  });
});

describe('expression defaults', () => {
  const my = parseVersion('9.7.4');
  const mdb = parseVersion('11.8.9-MariaDB');
  it.each([
    [my, 'uuid_to_bin(uuid())', 'DEFAULT_GENERATED', true],
    [my, 'CURRENT_TIMESTAMP', 'DEFAULT_GENERATED', false],
    [my, 'CURRENT_TIMESTAMP(6)', 'DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)', false],
    [my, '0', '', false],
    [my, null, '', false],
    [mdb, "'text'", '', false],
    [mdb, 'NULL', '', false],
    [mdb, '-1.5', '', false],
    [mdb, "b'101'", '', false],
    [mdb, 'current_timestamp()', '', false],
    [mdb, 'uuid_v7()', '', true],
    [mdb, '1 + 1', '', true],
  ])('%#: %s', (v, dflt, extra, want) => {
    expect(isDefaultExpression(v, dflt, extra)).toBe(want);
  });
});
