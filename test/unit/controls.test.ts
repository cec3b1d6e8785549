import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Controls } from '../../src/engine/controls.js';
import { memoryLogger } from '../../src/model/log.js';
import { tempDir } from '../support/temp.js';

const cancelAfter = (ms: number) => {
  const at = Date.now() + ms;
  return () => Date.now() >= at;
};

describe("the operator's controls at a cancel", () => {
  it('a gate waiting on the pause says no at the cancel, and the log does not say resumed', async () => {
    const pause = join(tempDir('bf-ctl-'), 'pause');
    writeFileSync(pause, '');
    const log = memoryLogger();
    const c = new Controls({ pauseFile: pause, brakeStatus: 'x' }, async () => 0, log, cancelAfter(300));
    expect(await c.pauseGate()).toBe(false);
    expect(await c.gate(100)).toBe(false);
    expect(log.lines.some((l) => l.includes('paused'))).toBe(true);
    expect(log.lines.some((l) => l.includes('resumed'))).toBe(false);
  });

  it('a gate waiting on the rate cap says no at the cancel, without sleeping out the cap', async () => {
    const c = new Controls(
      { brakeStatus: 'x', maxRowsPerSecond: 10 },
      async () => 0,
      memoryLogger(),
      cancelAfter(200),
    );
    expect(await c.gate(100)).toBe(true); // the first chunk goes at once
    const t0 = Date.now();
    expect(await c.gate(10)).toBe(false); // would wait 10 s; the cancel comes after 0.2 s
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a gate waiting on the brake says no at the cancel', async () => {
    const c = new Controls(
      { brakeStatus: 'x', brakeLimit: 5 },
      async () => 50,
      memoryLogger(),
      cancelAfter(300),
    );
    expect(await c.gate(1)).toBe(false);
  });

  it('with nothing in the way, a gate says yes', async () => {
    const c = new Controls(
      { brakeStatus: 'x' },
      async () => 0,
      memoryLogger(),
      () => false,
    );
    expect(await c.gate(1)).toBe(true);
    expect(await c.pauseGate()).toBe(true);
  });
});

describe('how long the controls held the copy back (issue 25, finding 12)', () => {
  it('four workers waiting on the cap at once count once: wall clock, not their waits added up', async () => {
    const c = new Controls(
      { brakeStatus: 'x', maxRowsPerSecond: 1000 },
      async () => 0,
      memoryLogger(),
      () => false,
    );
    const t0 = Date.now();
    // 4 chunks of 100 rows at 1000 rows/s: the last may start 0.3 s after the first.
    await Promise.all([1, 2, 3, 4].map(() => c.gate(100)));
    const wall = Date.now() - t0;
    // The cap's schedule, computed as the four gates enter together: waits of 0, 0.1, 0.2, 0.3 s.
    const summed = c.waited.pause + c.waited.brake + c.waited.cap;
    expect(summed).toBeGreaterThanOrEqual(590);
    // Held: from the first gate in to the last one out, never more than the wall clock.
    expect(c.heldMs).toBeLessThanOrEqual(wall);
    expect(c.heldMs).toBeGreaterThanOrEqual(295);
  });
});
