/**
 * Issue 27: the window decider. Table-tested: a window copies while it has time (and always its
 * first chunk), closes when its time is up or the operator pauses, the run waits between windows
 * until the lag is within the bound, never opens a window on a lag it does not know (NULL) or cannot
 * read (a failing lag query), and ends once that has lasted the grace.
 */
import { describe, expect, it } from 'vitest';
import {
  LAG_GRACE_S,
  decideWindow,
  type WindowDecision,
  type WindowFacts,
  type WindowPhase,
  type WindowProgress,
} from '../../src/engine/windows.js';
import type { LagReading } from '../../src/inspect/lag.js';

const progress = (o: Partial<WindowProgress> = {}): WindowProgress => ({
  remaining: true,
  inFlight: 0,
  startedThisWindow: 0,
  ...o,
});
const open = (elapsedS: number): WindowPhase => ({ kind: 'open', elapsedS });
const between = (lag: LagReading, troubleS = 0): WindowPhase => ({ kind: 'between', lag, troubleS });
const secs = (seconds: number): LagReading => ({ kind: 'seconds', seconds });
const NULL_LAG: LagReading = { kind: 'unknown', why: 'Seconds_Behind_Master is NULL' };
const QUERY_FAILED: LagReading = { kind: 'error', message: '--lag-query: the lag query failed: gone' };

/** max-lag 5: window 3, catch up to 2. */
const facts = (phase: WindowPhase, p: Partial<WindowProgress> = {}, paused = false): WindowFacts => ({
  phase,
  windowS: 3,
  catchUpTo: 2,
  progress: progress(p),
  paused,
});

describe('decideWindow', () => {
  it.each<[string, WindowFacts, WindowDecision['kind'], RegExp?]>([
    // A window open
    ['its first chunk, whatever the time', facts(open(9), { startedThisWindow: 0 }), 'copy'],
    ['time left for another chunk', facts(open(1), { startedThisWindow: 2, chunkS: 0.5 }), 'copy'],
    ['a chunk that ends just in time', facts(open(2.5), { startedThisWindow: 2, chunkS: 0.5 }), 'copy'],
    ['no chunk measured yet, time left', facts(open(2.9), { startedThisWindow: 1 }), 'copy'],
    [
      'the next chunk would end after the window',
      facts(open(2.6), { startedThisWindow: 3, chunkS: 0.5, inFlight: 2 }),
      'close',
      /another chunk \(about 0\.5 s\) would end after the window's 3 s/,
    ],
    [
      'the time is spent',
      facts(open(3), { startedThisWindow: 3, inFlight: 1 }),
      'close',
      /the window's 3 s are spent/,
    ],
    [
      'paused: the window closes early and the applier runs',
      facts(open(0.5), { startedThisWindow: 1, inFlight: 1 }, true),
      'close',
      /paused/,
    ],
    [
      'paused before its first chunk: closed at once',
      facts(open(0), { startedThisWindow: 0 }, true),
      'close',
      /paused/,
    ],
    [
      'nothing left to hand out, chunks in flight: they end in this window',
      facts(open(8), { remaining: false, inFlight: 2, startedThisWindow: 5 }),
      'copy',
    ],
    ['nothing left and nothing in flight', facts(open(1), { remaining: false, inFlight: 0 }), 'done'],

    // Between windows
    ['caught up: the next window opens', facts(between(secs(1))), 'open'],
    ['exactly at the target', facts(between(secs(2))), 'open'],
    ['fully caught up', facts(between(secs(0))), 'open'],
    [
      'behind: wait',
      facts(between(secs(2.5))),
      'wait',
      /catching up: 2\.5 s behind, the next window opens at 2 s/,
    ],
    ['far behind at the start: wait', facts(between(secs(600))), 'wait', /600 s behind/],
    ['paused: the applier runs, no window', facts(between(secs(0)), {}, true), 'wait', /paused/],
    [
      'the lag NULL: never caught up',
      facts(between(NULL_LAG, 0)),
      'wait',
      /the lag is unknown \(Seconds_Behind_Master is NULL\): counted as not caught up/,
    ],
    ['the lag NULL within the grace', facts(between(NULL_LAG, LAG_GRACE_S - 1)), 'wait'],
    [
      'the lag NULL for the grace: the run ends',
      facts(between(NULL_LAG, LAG_GRACE_S)),
      'fail',
      /the lag is unknown .*, for 60 s: no window opens/,
    ],
    [
      'the lag query failing: never caught up',
      facts(between(QUERY_FAILED, 5)),
      'wait',
      /^--lag-query: the lag query failed: gone: counted as not caught up$/,
    ],
    [
      'the lag query failing for the grace: the run ends, naming the input',
      facts(between(QUERY_FAILED, 61)),
      'fail',
      /^--lag-query: the lag query failed: gone, for 61 s/,
    ],
    [
      'paused with the lag NULL: still counted, still fails closed',
      facts(between(NULL_LAG, LAG_GRACE_S), {}, true),
      'fail',
    ],
    ['nothing left to copy', facts(between(secs(9)), { remaining: false }), 'done'],
  ])('%s', (_what, f, kind, why) => {
    const d = decideWindow(f);
    expect(d.kind).toBe(kind);
    if (why) expect('why' in d ? d.why : 'message' in d ? d.message : '').toMatch(why);
  });

  it('the grace can be given', () => {
    expect(decideWindow({ ...facts(between(NULL_LAG, 5)), lagGraceS: 5 }).kind).toBe('fail');
    expect(decideWindow({ ...facts(between(NULL_LAG, 4)), lagGraceS: 5 }).kind).toBe('wait');
  });

  it('a run of windows, step by step: wait, open, copy, close, wait, open, done', () => {
    const seen = [
      facts(between(secs(4))),
      facts(between(secs(2))),
      facts(open(0)),
      facts(open(1), { startedThisWindow: 1, chunkS: 1 }),
      facts(open(2.2), { startedThisWindow: 2, chunkS: 1, inFlight: 1 }),
      facts(between(secs(3))),
      facts(between(secs(1))),
      facts(open(0.4), { remaining: false, inFlight: 1, startedThisWindow: 1 }),
      facts(open(1.1), { remaining: false }),
    ].map((f) => decideWindow(f).kind);
    expect(seen).toEqual(['wait', 'open', 'copy', 'copy', 'close', 'wait', 'open', 'copy', 'done']);
  });
});
