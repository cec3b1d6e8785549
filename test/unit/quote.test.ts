import { describe, expect, it } from 'vitest';
import { qualify, quoteIdent, quoteString } from '../../src/sql/quote.js';

describe('quoteIdent', () => {
  it.each([
    ['plain', '`plain`'],
    ['with space', '`with space`'],
    ['back`tick', '`back``tick`'],
    ['``', '``````'],
    ['dash-dot.x', '`dash-dot.x`'],
    ['ünïcødé', '`ünïcødé`'],
    ['quote\'"', '`quote\'"`'],
    ['semi;colon', '`semi;colon`'],
  ])('%j -> %s', (name, want) => {
    expect(quoteIdent(name)).toBe(want);
  });
  it('refuses NUL and empty names', () => {
    expect(() => quoteIdent('a\u0000b')).toThrow(/NUL/);
    expect(() => quoteIdent('')).toThrow(/empty/);
  });
  it('qualifies schema and table', () => {
    expect(qualify('s`1', 't.2')).toBe('`s``1`.`t.2`');
  });
});

describe('quoteString', () => {
  it.each([
    ['abc', "'abc'"],
    ["it's", "'it''s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['line\nbreak', "'line\\nbreak'"],
    ['nul\u0000', "'nul\\0'"],
  ])('%j -> %s', (v, want) => {
    expect(quoteString(v)).toBe(want);
  });
});
