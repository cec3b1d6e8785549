/**
 * One rename at a time per foreign-key family (see plan/families): the workers of a run take the
 * family's lock around every rename or DDL under a real name, so MySQL's metadata locks on FK
 * parents and children never make two of our renames deadlock each other. In-process only.
 */
export class FamilyLocks {
  private readonly tails = new Map<number, Promise<void>>();

  /** `familyOf`: table id -> family (a table that is not listed is a family of its own). */
  constructor(private readonly familyOf: ReadonlyMap<number, number> = new Map()) {}

  /** Runs `fn` once no other table of the family runs one; in the order they asked. */
  async run<T>(tableId: number, fn: () => Promise<T>): Promise<T> {
    const family = this.familyOf.get(tableId) ?? -tableId;
    const before = this.tails.get(family) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.tails.set(family, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(family) === tail) this.tails.delete(family);
    }
  }
}
