/**
 * The torture test's short version (about two minutes): every kind of round at least once, on a seed
 * printed with the result (BF_TORTURE_SEED replays one). `npm run torture -- --rounds N` runs more.
 */
import { describe, expect, inject, it } from 'vitest';
import { runTorture, summary } from '../torture/torture.js';

const sb = inject('sandbox')!;
const seed = Number(process.env.BF_TORTURE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const rounds = Number(process.env.BF_TORTURE_ROUNDS ?? 16);

// Restart rounds kill mysqld by its pid file and start it again: they need the replica's datadir
// and command (a local sandbox, not BF_HIDE_DATADIR or a container). runTorture leaves them out then.
const canRestart = Boolean(sb.replica.command && sb.replica.datadir);

describe('torture (short)', () => {
  if (!canRestart)
    it.skip("server restart rounds: they need the replica's datadir and command, which this sandbox does not show", () => {});
  it(`${rounds} seeded rounds of kills, races, server restarts and cancels all hold (seed ${seed})`, async () => {
    const r = await runTorture({ sandbox: sb, rounds, seed, log: (l) => console.log(l) });
    console.log(summary(r));
    expect(r.failure, r.failure).toBeUndefined();
    expect(r.held).toBe(rounds);
  }, 600_000);
});
