import { describe, expect, it } from 'vitest';
import {
  advanceStart,
  copyAll,
  copyPlannedChunk,
  countChunkOf,
  copyKeysetChunk,
  dropIfEmpty,
  dropTable,
  nextBoundary,
  renameTable,
  rowAtMost,
  rowGreaterThan,
  seekStart,
  shellDdl,
  swapBack,
  twinAlter,
} from '../../src/sql/builders.js';
import type { TwinColumn } from '../../src/model/twin.js';
import { withOrdinals } from '../../src/plan/plan.js';

const col = (name: string, over: Partial<TwinColumn> = {}): TwinColumn => ({
  name,
  columnType: 'int(11)',
  nullable: true,
  generated: false,
  invisible: false,
  charset: null,
  collation: null,
  ...over,
});

/** The copy's tables as the builders take them: schema s, twin t, backup bk. */
const bk = { schema: 's', backup: 'bk' };
const tv = { ...bk, table: 't', columns: ['id', 'v'] };
const ta = { ...bk, table: 't', columns: ['a'] };

describe('renames and drops', () => {
  it('renames within the schema', () => {
    expect(renameTable({ schema: 's', from: 't', to: '_bf_0a1b2c3d_1' })).toBe(
      'RENAME TABLE `s`.`t` TO `s`.`_bf_0a1b2c3d_1`',
    );
  });
  it('swaps back atomically in one statement', () => {
    expect(swapBack({ schema: 's', table: 'my`t', parkAs: 'tw', from: 'bk' })).toBe(
      'RENAME TABLE `s`.`my``t` TO `s`.`tw`, `s`.`bk` TO `s`.`my``t`',
    );
  });
  it('drops by qualified name', () => {
    expect(dropTable('a b', 'c')).toBe('DROP TABLE `a b`.`c`');
  });
  it('drops a table only if the server finds it empty, in one round trip, and says whether it did', () => {
    expect(dropIfEmpty('s', "it's`x")).toEqual([
      "SET @bf_empty = NOT EXISTS (SELECT 1 FROM `s`.`it's``x`)",
      "SET @bf_drop = IF(@bf_empty, 'DROP TABLE `s`.`it''s``x`', 'DO 0')",
      'PREPARE bf_drop FROM @bf_drop',
      'EXECUTE bf_drop',
      'DEALLOCATE PREPARE bf_drop',
      'SELECT @bf_empty AS dropped',
    ]);
  });
});

const CREATE_WITH_FK = [
  'CREATE TABLE `child` (',
  '  `id` int(11) NOT NULL,',
  '  `parent_id` int(11) NOT NULL,',
  '  `v` int(11) DEFAULT NULL,',
  '  PRIMARY KEY (`id`),',
  '  KEY `fk_child_parent` (`parent_id`),',
  '  CONSTRAINT `fk_child_parent` FOREIGN KEY (`parent_id`) REFERENCES `parent` (`id`) ON DELETE CASCADE,',
  '  CONSTRAINT `chk_v` CHECK (`v` > 0)',
  ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
].join('\n');

describe('shellDdl', () => {
  it('qualifies the name and drops foreign keys, fixing the trailing comma', () => {
    expect(shellDdl({ showCreate: CREATE_WITH_FK, schema: 'shop', table: 'child', stripChecks: false })).toBe(
      [
        'CREATE TABLE `shop`.`child` (',
        '  `id` int(11) NOT NULL,',
        '  `parent_id` int(11) NOT NULL,',
        '  `v` int(11) DEFAULT NULL,',
        '  PRIMARY KEY (`id`),',
        '  KEY `fk_child_parent` (`parent_id`),',
        '  CONSTRAINT `chk_v` CHECK (`v` > 0)',
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
      ].join('\n'),
    );
  });
  it('drops CHECK constraints too where their names are per schema (MySQL)', () => {
    const out = shellDdl({ showCreate: CREATE_WITH_FK, schema: 'shop', table: 'child', stripChecks: true });
    expect(out).not.toMatch(/CHECK|FOREIGN KEY/);
    expect(out).toMatch(/KEY `fk_child_parent` \(`parent_id`\)\n\) ENGINE/);
  });
  it('keeps a table without constraints unchanged but for the name', () => {
    const ddl = 'CREATE TABLE `a``b` (\n  `id` int(11) NOT NULL\n) ENGINE=MyISAM';
    expect(shellDdl({ showCreate: ddl, schema: 's', table: 'a`b', stripChecks: true })).toBe(
      'CREATE TABLE `s`.`a``b` (\n  `id` int(11) NOT NULL\n) ENGINE=MyISAM',
    );
  });
  it('keeps partitioning clauses', () => {
    const ddl =
      'CREATE TABLE `p` (\n  `id` int(11) NOT NULL\n) ENGINE=InnoDB\n PARTITION BY HASH (`id`)\nPARTITIONS 3';
    expect(shellDdl({ showCreate: ddl, schema: 's', table: 'p', stripChecks: false })).toMatch(
      /PARTITION BY HASH \(`id`\)\nPARTITIONS 3$/,
    );
  });
  it("creates the definition under another name (the twin's parking name) when asked", () => {
    const out = shellDdl({
      showCreate: CREATE_WITH_FK,
      schema: 'shop',
      table: 'child',
      createAs: '_bf_0a1b2c3d_1_tw',
      stripChecks: false,
    });
    expect(out.split('\n')[0]).toBe('CREATE TABLE `shop`.`_bf_0a1b2c3d_1_tw` (');
    expect(out.split('\n').slice(1)).toEqual(
      shellDdl({ showCreate: CREATE_WITH_FK, schema: 'shop', table: 'child', stripChecks: false })
        .split('\n')
        .slice(1),
    );
  });
  it('refuses output it does not recognise', () => {
    expect(() =>
      shellDdl({ showCreate: 'CREATE TABLE `other` (\n) x', schema: 's', table: 'p', stripChecks: false }),
    ).toThrow(/unexpected/);
  });
});

describe('twinAlter', () => {
  const edits = { plainColumns: [], droppedIndexes: [], droppedFirst: [], dropSecondaryEngine: false };
  it('makes plain columns plain in place, drops indexes, marks the twin', () => {
    const sql = twinAlter('s', 't', {
      columns: [
        col('id', { nullable: false }),
        col('a'),
        col('b', { generated: 'virtual' }),
        col('c', {
          generated: 'stored',
          columnType: 'varchar(30)',
          charset: 'utf8mb4',
          collation: 'utf8mb4_bin',
        }),
      ],
      ...edits,
      plainColumns: ['b', 'c'],
      droppedIndexes: ['sp'],
      partitioned: false,
      marker: 'binlog-flusher twin 0a1b2c3d',
    });
    expect(sql).toBe(
      'ALTER TABLE `s`.`t` DROP INDEX `sp`, DROP COLUMN `b`, DROP COLUMN `c`, ADD COLUMN `b` int(11) NULL AFTER `a`, ' +
        'ADD COLUMN `c` varchar(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL AFTER `b`, ' +
        "ENGINE=BLACKHOLE, COMMENT='binlog-flusher twin 0a1b2c3d'",
    );
  });
  it('puts a plain first column FIRST and keeps invisibility', () => {
    const sql = twinAlter('s', 't', {
      columns: [col('g', { generated: 'virtual', invisible: true }), col('id')],
      ...edits,
      plainColumns: ['g'],
      partitioned: false,
      marker: 'm',
    });
    expect(sql).toContain('ADD COLUMN `g` int(11) NULL INVISIBLE FIRST');
  });
  it('rebuilds the primary key on the same columns and prefixes', () => {
    const sql = twinAlter('s', 't', {
      columns: [col('a'), col('b')],
      ...edits,
      primaryKey: { replaces: 'PRIMARY', columns: [{ column: 'a' }, { column: 'b', prefix: 10 }] },
      partitioned: false,
      marker: 'm',
    });
    expect(sql).toBe(
      "ALTER TABLE `s`.`t` DROP PRIMARY KEY, ADD PRIMARY KEY (`a`, `b`(10)), ENGINE=BLACKHOLE, COMMENT='m'",
    );
  });
  it('turns the unique key a table map names as primary into an explicit primary key', () => {
    const sql = twinAlter('s', 't', {
      columns: [col('a')],
      ...edits,
      primaryKey: { replaces: 'u', columns: [{ column: 'a' }] },
      partitioned: false,
      marker: 'm',
    });
    expect(sql).toBe(
      "ALTER TABLE `s`.`t` DROP INDEX `u`, ADD PRIMARY KEY (`a`), ENGINE=BLACKHOLE, COMMENT='m'",
    );
  });
  it('takes a secondary engine off in a statement of its own, first', () => {
    const sql = twinAlter('s', 't', {
      columns: [col('a')],
      ...edits,
      dropSecondaryEngine: true,
      partitioned: false,
      marker: 'm',
    });
    expect(sql).toBe(
      "ALTER TABLE `s`.`t` SECONDARY_ENGINE=NULL;\nALTER TABLE `s`.`t` ENGINE=BLACKHOLE, COMMENT='m'",
    );
  });
  it('drops some indexes first, in a statement of their own', () => {
    const sql = twinAlter('s', 't', {
      columns: [col('a')],
      ...edits,
      droppedFirst: ['v1', 'v2'],
      partitioned: false,
      marker: 'm',
    });
    expect(sql).toBe(
      "ALTER TABLE `s`.`t` DROP INDEX `v1`, DROP INDEX `v2`;\nALTER TABLE `s`.`t` ENGINE=BLACKHOLE, COMMENT='m'",
    );
  });
  it('always removes partitioning: a partitioned ALTER to BLACKHOLE is not crash-safe on MariaDB', () => {
    const spec = { columns: [col('id')], ...edits, marker: 'm' };
    expect(twinAlter('s', 't', { ...spec, partitioned: true })).toMatch(/COMMENT='m' REMOVE PARTITIONING$/);
    expect(twinAlter('s', 't', { ...spec, partitioned: false })).not.toMatch(/PARTITIONING/);
  });
});

describe('keyset chunks', () => {
  it('spells row comparisons out for one and for three columns', () => {
    expect(rowGreaterThan(['id'], ['@s0'])).toBe('`id` > @s0');
    expect(rowGreaterThan(['a', 'b', 'c'], ['@s0', '@s1', '@s2'])).toBe(
      '(`a` > @s0 OR (`a` = @s0 AND `b` > @s1) OR (`a` = @s0 AND `b` = @s1 AND `c` > @s2))',
    );
    expect(rowAtMost(['id'], ['@e0'])).toBe('`id` <= @e0');
    expect(rowAtMost(['a', 'b'], ['@e0', '@e1'])).toBe('(`a` < @e0 OR (`a` = @e0 AND `b` <= @e1))');
  });
  it('chunks never overlap: (start, end] then the end becomes the next start', () => {
    const key = { index: 'PRIMARY', columns: ['id'] };
    const first = copyKeysetChunk(tv, key, { first: true, last: false });
    const middle = copyKeysetChunk(tv, key, { first: false, last: false });
    const last = copyKeysetChunk(tv, key, { first: false, last: true });
    const only = copyKeysetChunk(tv, key, { first: true, last: true });
    const head = 'INSERT INTO `s`.`t` (`id`, `v`) SELECT `id`, `v` FROM `s`.`bk` FORCE INDEX (PRIMARY)';
    expect(first).toBe(`${head} WHERE \`id\` <= @bf_e0`);
    expect(middle).toBe(`${head} WHERE \`id\` > @bf_s0 AND \`id\` <= @bf_e0`);
    expect(last).toBe(`${head} WHERE \`id\` > @bf_s0`);
    expect(only).toBe(head);
    expect(advanceStart(2)).toBe('SET @bf_s0 = @bf_e0, @bf_s1 = @bf_e1');
  });
  it('finds the next boundary server-side on a named unique key', () => {
    const key = { index: 'u`k', columns: ['a', 'b'] };
    expect(nextBoundary(bk, key, 500, false)).toEqual([
      'SET @bf_e0 = NULL, @bf_e1 = NULL',
      'SELECT `a`, `b` INTO @bf_e0, @bf_e1 FROM `s`.`bk` FORCE INDEX (`u``k`) WHERE (`a` > @bf_s0 OR (`a` = @bf_s0 AND `b` > @bf_s1)) ORDER BY `a`, `b` LIMIT 1 OFFSET 499',
      'SELECT @bf_e0 IS NULL AS last',
    ]);
    expect(nextBoundary(bk, { index: 'PRIMARY', columns: ['id'] }, 1, true)[1]).toBe(
      'SELECT `id` INTO @bf_e0 FROM `s`.`bk` FORCE INDEX (PRIMARY) ORDER BY `id` LIMIT 1 OFFSET 0',
    );
  });
  it('a chunk of the copy cursor: a key range, a partition or the whole table, copied and counted', () => {
    const key = { index: 'PRIMARY', columns: ['id'] };
    const range = { kind: 'range' as const, seq: 0, lo: -5n, hiEx: 95n };
    expect(copyPlannedChunk(tv, key, range)).toBe(
      'INSERT INTO `s`.`t` (`id`, `v`) SELECT `id`, `v` FROM `s`.`bk` FORCE INDEX (PRIMARY) WHERE `id` >= -5 AND `id` < 95',
    );
    expect(countChunkOf(bk, key, { ...range, hiEx: undefined })).toBe(
      'SELECT COUNT(*) AS n FROM `s`.`bk` FORCE INDEX (PRIMARY) WHERE `id` >= -5',
    );
    const part = { kind: 'part' as const, seq: 1, partition: 'p1' };
    expect(copyPlannedChunk(ta, undefined, part)).toBe(
      'INSERT INTO `s`.`t` (`a`) SELECT `a` FROM `s`.`bk` PARTITION (`p1`)',
    );
    expect(countChunkOf(bk, undefined, { ...part, partition: undefined })).toBe(
      'SELECT COUNT(*) AS n FROM `s`.`bk`',
    );
    expect(() => copyPlannedChunk(ta, undefined, range)).toThrow(/needs a key/);
  });
  it('copies a keyless table whole or per partition', () => {
    expect(copyAll(ta)).toBe('INSERT INTO `s`.`t` (`a`) SELECT `a` FROM `s`.`bk`');
    expect(copyAll(ta, 'p0')).toBe('INSERT INTO `s`.`t` (`a`) SELECT `a` FROM `s`.`bk` PARTITION (`p0`)');
  });
});

describe('keys compared in their own order', () => {
  it('holds ENUM and SET boundaries as their ordinal, other columns as they are', () => {
    const cols = [
      { name: 'e', columnType: "enum('d','b','c')" },
      { name: 'n', columnType: 'int(11)' },
      { name: 's', columnType: "set('x','y')" },
    ].map((c) => ({
      ...c,
      nullable: false,
      generated: false as const,
      invisible: false,
      charset: null,
      collation: null,
      defaultExpression: false,
      autoIncrement: false,
    }));
    const key = withOrdinals({ index: 'PRIMARY', columns: ['e', 'n', 's'] }, cols)!;
    expect(key.ordinal).toEqual([true, false, true]);
    expect(nextBoundary({ schema: 's', backup: 'b' }, key, 10, true)[1]).toBe(
      'SELECT `e` + 0, `n`, `s` + 0 INTO @bf_e0, @bf_e1, @bf_e2 FROM `s`.`b` FORCE INDEX (PRIMARY) ORDER BY `e`, `n`, `s` LIMIT 1 OFFSET 9',
    );
    expect(seekStart({ schema: 's', backup: 'b' }, key, 5)[0]).toMatch(
      /^SELECT `e` \+ 0, `n`, `s` \+ 0 INTO @bf_s0, @bf_s1, @bf_s2 /,
    );
    // Without ENUM/SET columns the key is left as it was.
    expect(withOrdinals({ index: 'PRIMARY', columns: ['n'] }, cols)).toEqual({
      index: 'PRIMARY',
      columns: ['n'],
    });
  });
});
