import { describe, expect, it } from 'vitest';
import { fkFamilies } from '../../src/plan/families.js';
import type { ForeignKeyEdge } from '../../src/model/table.js';
import { FamilyLocks } from '../../src/engine/family-locks.js';

const t = (id: number, table: string, schema = 's') => ({ id, schema, table });
const fk = (child: string, parent: string, childSchema = 's', parentSchema = 's'): ForeignKeyEdge => ({
  childSchema,
  child,
  parentSchema,
  parent,
});

describe('foreign-key families', () => {
  it('ties parent, child and grandchild into one family, and keeps unrelated tables apart', () => {
    const plan = [
      t(1, 'parent'),
      t(2, 'child'),
      t(3, 'grandchild'),
      t(4, 'owner'),
      t(5, 'pet'),
      t(6, 'alone'),
    ];
    const f = fkFamilies(plan, [fk('child', 'parent'), fk('grandchild', 'child'), fk('pet', 'owner')]);
    expect([f.get(1), f.get(2), f.get(3)]).toEqual([1, 1, 1]);
    expect([f.get(4), f.get(5)]).toEqual([4, 4]);
    expect(f.get(6)).toBe(6);
  });
  it('ties two tables through a table that is not flushed, and across schemas', () => {
    const plan = [t(1, 'a'), t(2, 'b'), t(3, 'c', 'other')];
    const f = fkFamilies(plan, [fk('a', 'hub'), fk('b', 'hub'), fk('c', 'a', 'other', 's')]);
    expect(new Set([f.get(1), f.get(2), f.get(3)]).size).toBe(1);
  });
  it('knows the same name in two schemas as two tables, and a self-reference as no tie', () => {
    const plan = [t(1, 'x', 'a'), t(2, 'x', 'b')];
    const f = fkFamilies(plan, [fk('x', 'x', 'a', 'a')]);
    expect(f.get(1)).not.toBe(f.get(2));
  });
});

describe('family locks', () => {
  // Yields to the event loop (no clock): every job asked for has started or queued by then.
  const tick = () => new Promise((r) => setImmediate(r));
  it('runs one rename at a time per family, in the order asked, and families side by side', async () => {
    const locks = new FamilyLocks(
      new Map([
        [1, 1],
        [2, 1],
        [3, 3],
      ]),
    );
    const log: string[] = [];
    const job = (id: number) =>
      locks.run(id, async () => {
        log.push(`start ${id}`);
        await tick();
        log.push(`end ${id}`);
      });
    await Promise.all([job(1), job(2), job(3)]);
    expect(log.indexOf('end 1')).toBeLessThan(log.indexOf('start 2'));
    expect(log.indexOf('start 3')).toBeLessThan(log.indexOf('end 1'));
  });
  it('lets the next one go when a rename fails', async () => {
    const locks = new FamilyLocks(
      new Map([
        [1, 1],
        [2, 1],
      ]),
    );
    const failed = locks.run(1, () => Promise.reject(new Error('deadlock')));
    await expect(failed).rejects.toThrow('deadlock');
    await expect(locks.run(2, () => Promise.resolve('done'))).resolves.toBe('done');
  });
});
