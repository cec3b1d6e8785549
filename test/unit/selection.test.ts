import { describe, expect, it } from 'vitest';
import { namesTable, selectsSchema, selectsTable } from '../../src/model/settings.js';

const sel = (databases: string[], tables: { schema?: string; table: string }[], skip: string[]) => ({
  databases,
  tables,
  skip,
});

describe('which tables a selection covers', () => {
  it('selects every schema but the skipped ones when --db is empty', () => {
    expect(selectsSchema(sel([], [], ['b']), 'a')).toBe(true);
    expect(selectsSchema(sel([], [], ['b']), 'b')).toBe(false);
  });

  it('selects only the --db schemas, and --skip wins over --db', () => {
    expect(selectsSchema(sel(['a'], [], []), 'a')).toBe(true);
    expect(selectsSchema(sel(['a'], [], []), 'b')).toBe(false);
    expect(selectsSchema(sel(['a'], [], ['a']), 'a')).toBe(false);
  });

  it('matches a --table entry by name, and by schema only when it gives one', () => {
    expect(namesTable({ table: 't' }, 'a', 't')).toBe(true);
    expect(namesTable({ schema: 'a', table: 't' }, 'b', 't')).toBe(false);
    expect(namesTable({ schema: 'a', table: 't' }, 'a', 'u')).toBe(false);
  });

  it('selects a table when its schema is selected and --table names it or is empty', () => {
    expect(selectsTable(sel([], [], []), 'a', 't')).toBe(true);
    expect(selectsTable(sel([], [{ table: 't' }], []), 'a', 't')).toBe(true);
    expect(selectsTable(sel([], [{ table: 't' }], []), 'a', 'u')).toBe(false);
    expect(selectsTable(sel([], [{ table: 't' }], ['a']), 'a', 't')).toBe(false);
    expect(selectsTable(sel(['b'], [{ schema: 'a', table: 't' }], []), 'a', 't')).toBe(false);
  });
});
