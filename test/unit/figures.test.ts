import { describe, expect, it } from 'vitest';
import { countedFigures, describeBasis } from '../../src/plan/figures.js';
import { boundedCount, sampledRowLength } from '../../src/sql/reads.js';
import { describeEstimate } from '../../src/plan/estimate.js';
import { flavourFacts } from '../../src/flavours/index.js';

describe("the plan's fresh figures", () => {
  it("a counted table: its values' sampled length and a byte per column, else the statistics' row length", () => {
    expect(countedFigures({ rowsEstimate: 1000, bytesEstimate: 50_000 }, 300_000, undefined)).toEqual({
      rowsEstimate: 300_000,
      bytesEstimate: 15_000_000,
    });
    expect(
      countedFigures({ rowsEstimate: 300_000, bytesEstimate: 16_384 }, 300_000, { length: 118, columns: 2 }),
    ).toEqual({
      rowsEstimate: 300_000,
      bytesEstimate: 36_000_000,
    });
    expect(countedFigures({ rowsEstimate: 0, bytesEstimate: 16_384 }, 0, undefined)).toEqual({
      rowsEstimate: 0,
      bytesEstimate: 0,
    });
  });

  it('says what the rows rest on', () => {
    expect(describeBasis({ counted: 1, tables: 1 })).toBe('rows counted for the table');
    expect(describeBasis({ counted: 3, tables: 3 })).toBe('rows counted for all 3 tables');
    expect(describeBasis({ counted: 2, tables: 5 })).toBe(
      "rows counted for 2 of 5 tables, the server's statistics for the others",
    );
    expect(describeBasis({ counted: 0, tables: 4 })).toBe("rows from the server's statistics");
    expect(
      describeEstimate({
        binlogBytes: 2 << 20,
        rows: 10,
        seconds: 3,
        rowsPerSecond: 50_000,
        basis: 'rows counted for the table',
      }),
    ).toBe(
      'about 2.0 MiB of binlog for ~10 rows (rows counted for the table), ~3 s at 50000 rows/s (assumed)',
    );
  });

  it('a count the server stops after its time limit, in each flavour; a sampled row length', () => {
    expect(boundedCount('s', 't`x', 2000, flavourFacts('mysql').boundedSelect)).toEqual([
      'SELECT /*+ MAX_EXECUTION_TIME(2000) */ COUNT(*) AS n FROM `s`.`t``x`',
      [],
    ]);
    expect(boundedCount('s', 't', 1500, flavourFacts('mariadb').boundedSelect)).toEqual([
      'SET STATEMENT max_statement_time = 1.500 FOR SELECT COUNT(*) AS n FROM `s`.`t`',
      [],
    ]);
    expect(sampledRowLength('s', 't', ['a', 'b`'], 1000)).toEqual([
      'SELECT AVG(l) AS l FROM (SELECT IFNULL(LENGTH(`a`), 0) + IFNULL(LENGTH(`b```), 0) AS l FROM `s`.`t` LIMIT 1000) s',
      [],
    ]);
  });
});
