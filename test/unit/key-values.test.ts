import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/model/table.js';
import { carrierOf, withCarriers } from '../../src/plan/carriers.js';
import { carriedExpr, keyLiteral, keyLiterals } from '../../src/sql/key-values.js';
import { copyPlannedChunk, countChunkOf, cutFinds, nextCut } from '../../src/sql/builders.js';

const col = (
  name: string,
  columnType: string,
  charset: string | null = null,
  collation: string | null = null,
): Column => ({
  name,
  columnType,
  nullable: false,
  generated: false,
  invisible: false,
  charset,
  collation,
  defaultExpression: false,
  autoIncrement: false,
});

describe('which key columns carry a boundary exactly', () => {
  it('numbers, ordinals, binary and character strings, dates and times with fractions, UUIDs', () => {
    expect(carrierOf(col('a', 'bigint(20) unsigned'))).toEqual({ kind: 'number' });
    expect(carrierOf(col('a', 'int'))).toEqual({ kind: 'number' });
    expect(carrierOf(col('a', 'decimal(30,10)'))).toEqual({ kind: 'number' });
    expect(carrierOf(col('a', 'year(4)'))).toEqual({ kind: 'number' });
    expect(carrierOf(col('a', "enum('x','y')"))).toEqual({ kind: 'ordinal' });
    expect(carrierOf(col('a', "set('x','y')"))).toEqual({ kind: 'ordinal' });
    expect(carrierOf(col('a', 'binary(16)'))).toEqual({ kind: 'bytes' });
    expect(carrierOf(col('a', 'varbinary(64)'))).toEqual({ kind: 'bytes' });
    expect(carrierOf(col('a', 'varchar(64)', 'utf8mb4', 'utf8mb4_0900_as_ci'))).toEqual({
      kind: 'text',
      charset: 'utf8mb4',
      collation: 'utf8mb4_0900_as_ci',
    });
    expect(carrierOf(col('a', 'char(36)', 'latin1', 'latin1_swedish_ci'))).toEqual({
      kind: 'text',
      charset: 'latin1',
      collation: 'latin1_swedish_ci',
    });
    expect(carrierOf(col('a', 'datetime(6)'))).toEqual({ kind: 'temporal', type: 'DATETIME', fraction: 6 });
    expect(carrierOf(col('a', 'date'))).toEqual({ kind: 'temporal', type: 'DATE', fraction: 0 });
    expect(carrierOf(col('a', 'time(3)'))).toEqual({ kind: 'temporal', type: 'TIME', fraction: 3 });
    expect(carrierOf(col('a', 'uuid'))).toEqual({ kind: 'uuid' });
  });

  it('a TIMESTAMP, a FLOAT or a BIT does not, and the reason names the column', () => {
    expect(carrierOf(col('t', 'timestamp(6)'))).toMatch(/^t is a TIMESTAMP, .*time zone/);
    expect(carrierOf(col('f', 'double'))).toMatch(/^f is a DOUBLE, whose text is not its exact value/);
    expect(carrierOf(col('f', 'float(7,3)'))).toMatch(/^f is a FLOAT/);
    expect(carrierOf(col('b', 'bit(8)'))).toMatch(/^b is a bit\(8\)/);
  });

  it('a key is carried only when every column is', () => {
    const cols = [
      col('a', 'int'),
      col('b', 'varchar(10)', 'utf8mb4', 'utf8mb4_general_ci'),
      col('f', 'double'),
    ];
    expect(withCarriers({ index: 'k', columns: ['a', 'b'] }, cols)).toEqual({
      index: 'k',
      columns: ['a', 'b'],
      carriers: [{ kind: 'number' }, { kind: 'text', charset: 'utf8mb4', collation: 'utf8mb4_general_ci' }],
    });
    const f = withCarriers({ index: 'k', columns: ['a', 'f'] }, cols)!;
    expect(f.carriers).toBeUndefined();
    expect(f.uncarried).toMatch(/^f is a DOUBLE/);
    expect(withCarriers(undefined, cols)).toBeUndefined();
  });
});

describe('a key value read as text comes back as the same value', () => {
  it('read: the bytes as hex for strings, the number for ordinals, the text for the rest', () => {
    expect(carriedExpr('u', { kind: 'bytes' })).toBe('HEX(`u`)');
    expect(carriedExpr('s', { kind: 'text', charset: 'utf8mb4', collation: 'utf8mb4_bin' })).toBe('HEX(`s`)');
    expect(carriedExpr('e', { kind: 'ordinal' })).toBe('CAST(`e` + 0 AS CHAR)');
    expect(carriedExpr('d', { kind: 'number' })).toBe('CAST(`d` AS CHAR)');
    expect(carriedExpr('t', { kind: 'temporal', type: 'DATETIME', fraction: 6 })).toBe('CAST(`t` AS CHAR)');
  });

  it('written: exact literals, in the column character set and collation for text', () => {
    expect(keyLiteral({ kind: 'number' }, '-9223372036854775808')).toBe('-9223372036854775808');
    expect(keyLiteral({ kind: 'number' }, '18446744073709551615')).toBe('18446744073709551615');
    expect(keyLiteral({ kind: 'number' }, '-0.0000000001')).toBe('-0.0000000001');
    expect(keyLiteral({ kind: 'ordinal' }, '3')).toBe('3');
    expect(keyLiteral({ kind: 'bytes' }, '00ff10')).toBe("X'00FF10'");
    expect(keyLiteral({ kind: 'bytes' }, '')).toBe("X''");
    expect(keyLiteral({ kind: 'text', charset: 'utf8mb4', collation: 'utf8mb4_0900_as_ci' }, '612020')).toBe(
      "_utf8mb4 X'612020' COLLATE utf8mb4_0900_as_ci",
    );
    expect(
      keyLiteral({ kind: 'temporal', type: 'DATETIME', fraction: 6 }, '2024-02-29 23:59:59.999999'),
    ).toBe("CAST('2024-02-29 23:59:59.999999' AS DATETIME(6))");
    expect(keyLiteral({ kind: 'temporal', type: 'DATE', fraction: 0 }, '0000-00-00')).toBe(
      "CAST('0000-00-00' AS DATE)",
    );
    expect(keyLiteral({ kind: 'temporal', type: 'TIME', fraction: 3 }, '-838:59:59.000')).toBe(
      "CAST('-838:59:59.000' AS TIME(3))",
    );
    expect(keyLiteral({ kind: 'uuid' }, '123e4567-e89b-12d3-a456-426614174000')).toBe(
      "'123e4567-e89b-12d3-a456-426614174000'",
    );
  });

  it("a text not of its carrier's form never becomes SQL (a hand-edited journal, say)", () => {
    expect(() => keyLiteral({ kind: 'number' }, '1 OR 1=1')).toThrow(/not a number key value/);
    expect(() => keyLiteral({ kind: 'bytes' }, "0A'")).toThrow(/not a bytes key value/);
    expect(() => keyLiteral({ kind: 'bytes' }, 'ABC')).toThrow(/not a bytes key value/);
    expect(() => keyLiteral({ kind: 'temporal', type: 'DATE', fraction: 0 }, "2020-01-01' OR '")).toThrow();
    expect(() => keyLiteral({ kind: 'text', charset: 'utf8mb4 x', collation: 'c' }, '61')).toThrow(
      /not a character set/,
    );
    expect(() => keyLiterals([{ kind: 'number' }], ['1', '2'])).toThrow(/2 columns for a key of 1/);
  });
});

describe('chunks between cuts', () => {
  const key = {
    index: 'PRIMARY',
    columns: ['n', 's'],
    carriers: [
      { kind: 'number' as const },
      { kind: 'text' as const, charset: 'utf8mb4', collation: 'utf8mb4_general_ci' },
    ],
  };
  const t = { schema: 'd', table: 't', backup: '_bf_x_1', columns: ['n', 's', 'v'] };
  const S = "_utf8mb4 X'41' COLLATE utf8mb4_general_ci";

  it('a chunk is after its lower cut and up to its upper one, as row comparisons in the key order', () => {
    expect(copyPlannedChunk(t, key, { kind: 'cut', seq: 1, after: ['1', '41'], upTo: ['2', '41'] })).toBe(
      'INSERT INTO `d`.`t` (`n`, `s`, `v`) SELECT `n`, `s`, `v` FROM `d`.`_bf_x_1` FORCE INDEX (PRIMARY) WHERE ' +
        `(\`n\` > 1 OR (\`n\` = 1 AND \`s\` > ${S})) AND (\`n\` < 2 OR (\`n\` = 2 AND \`s\` <= ${S}))`,
    );
    expect(copyPlannedChunk(t, key, { kind: 'cut', seq: 0, after: undefined, upTo: undefined })).toBe(
      'INSERT INTO `d`.`t` (`n`, `s`, `v`) SELECT `n`, `s`, `v` FROM `d`.`_bf_x_1` FORCE INDEX (PRIMARY)',
    );
    expect(
      countChunkOf({ schema: 'd', backup: '_bf_x_1' }, key, {
        kind: 'cut',
        seq: 0,
        after: undefined,
        upTo: ['1', '41'],
      }),
    ).toBe(
      `SELECT COUNT(*) AS n FROM \`d\`.\`_bf_x_1\` FORCE INDEX (PRIMARY) WHERE (\`n\` < 1 OR (\`n\` = 1 AND \`s\` <= ${S}))`,
    );
  });

  it('the walk reads the next cut from the index after the last one, and proves it by equality', () => {
    const from = { schema: 'd', backup: '_bf_x_1' };
    expect(nextCut(from, key, 1000, undefined)).toBe(
      'SELECT CAST(`n` AS CHAR) AS k0, HEX(`s`) AS k1 FROM `d`.`_bf_x_1` FORCE INDEX (PRIMARY) ORDER BY `n`, `s` LIMIT 1 OFFSET 999',
    );
    expect(nextCut(from, key, 1000, ['7', '41'])).toBe(
      'SELECT CAST(`n` AS CHAR) AS k0, HEX(`s`) AS k1 FROM `d`.`_bf_x_1` FORCE INDEX (PRIMARY) WHERE ' +
        `(\`n\` > 7 OR (\`n\` = 7 AND \`s\` > ${S})) ORDER BY \`n\`, \`s\` LIMIT 1 OFFSET 999`,
    );
    expect(cutFinds(from, key, ['7', '41'])).toBe(
      `SELECT COUNT(*) AS n FROM \`d\`.\`_bf_x_1\` FORCE INDEX (PRIMARY) WHERE \`n\` = 7 AND \`s\` = ${S}`,
    );
  });

  it('a key without carriers cannot be cut, and says why', () => {
    expect(() =>
      nextCut(
        { schema: 'd', backup: 'b' },
        { index: 'k', columns: ['f'], uncarried: 'f is a DOUBLE' },
        10,
        undefined,
      ),
    ).toThrow(/cannot carry boundaries: f is a DOUBLE/);
  });
});
