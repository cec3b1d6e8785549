import { describe, expect, it } from 'vitest';
import { code } from '../../src/action/summary.js';

describe('names in the job summary', () => {
  it.each([
    ['shop.orders', '`shop.orders`'],
    ['shop.odd`name x', '`` shop.odd`name x ``'],
    ['s.a``b', '``` s.a``b ```'],
    ['s.pipe|name', '`s.pipe\\|name`'],
  ])('%s is shown as %s', (name, md) => {
    expect(code(name)).toBe(md);
  });
});
