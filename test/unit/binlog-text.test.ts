import { describe, expect, it } from 'vitest';
import { tableMapName } from '../support/binlog.js';

describe("the test suite's binlog text reader", () => {
  it('spells Table_map names as the row lines do, whichever reader printed them', () => {
    // MariaDB's reader and MySQL's row lines double a backtick inside a name.
    expect(tableMapName('`w`.`a``b c`')).toBe('`w`.`a``b c`');
    // MySQL 9.7's Table_map comment does not.
    expect(tableMapName('`w`.`a`b c`')).toBe('`w`.`a``b c`');
    expect(tableMapName('`bf_kinds`.`we`ird t-1.ñame ü`')).toBe('`bf_kinds`.`we``ird t-1.ñame ü`');
    expect(tableMapName('`s`.`t`')).toBe('`s`.`t`');
  });
});
