/**
 * The window decider of a flush in windows (issue 27): what the run does next, from where it is,
 * the window's time, the tables' progress and the replica's lag. No I/O here (as the scheduler's
 * deciders): the flush acts on the decision, so the rules are table-tested on their own.
 *
 * A run in windows alternates two phases:
 * - `between`: every table back, the applier running; the run reads the lag and waits until it is
 *   at most `catchUpTo`, then opens a window (the run starts here: a replica already behind first
 *   catches up);
 * - `open`: the applier stopped at a transaction boundary; chunks are copied while the window has
 *   time, then it closes: no new chunk, the chunks in flight end, every table aside is put back, and
 *   the applier is started again (never while a twin holds a name: ServerHold's decideRelease).
 *
 * So the replica is at most `catchUpTo` behind when a window opens, and the window copies for at
 * most `window` seconds, plus the overrun of the chunks in flight when its time is up: at most one
 * chunk's time, since a chunk starts only where it is expected to end within the window (and the
 * first chunk of a window always starts, so that a window always copies something).
 *
 * Fail closed: a lag that is unknown (the server's NULL) or unreadable (the lag query failed or
 * answered no number) never opens a window; once it has been so for `lagGraceS` in a row, the run
 * ends with every table back (a resume continues it).
 */
import type { LagReading } from '../inspect/lag.js';

/** How long the lag may stay unknown or unreadable, in a row, before the run ends (seconds). */
export const LAG_GRACE_S = 60;

export interface WindowProgress {
  /** Chunks (or tables) not handed out yet: some copying is left. */
  remaining: boolean;
  /** Chunks being copied now. */
  inFlight: number;
  /** Chunks started in this window. */
  startedThisWindow: number;
  /** The seconds a chunk takes, as measured so far (undefined: none measured yet). */
  chunkS?: number;
}

export type WindowPhase =
  /** The applier stopped by the run; chunks copied. `elapsedS`: since the window opened. */
  | { kind: 'open'; elapsedS: number }
  /**
   * Every table back, the applier running. `lag`: read just now; `troubleS`: how long the lag has
   * been unknown or unreadable in a row (0 when this reading is a number).
   */
  | { kind: 'between'; lag: LagReading; troubleS: number };

export interface WindowFacts {
  phase: WindowPhase;
  /** The window's budget, seconds (WindowSettings.window). */
  windowS: number;
  /** The lag at which the next window may open (WindowSettings.catchUpTo). */
  catchUpTo: number;
  progress: WindowProgress;
  /** The operator paused the run: between windows the applier runs on, and no window opens. */
  paused: boolean;
  /** Default LAG_GRACE_S. */
  lagGraceS?: number;
}

export type WindowDecision =
  /** Hand out another chunk (open). */
  | { kind: 'copy' }
  /** No new chunk; once none is in flight, put every table back and start the applier (open). */
  | { kind: 'close'; why: string }
  /** The applier runs on; read the lag again (between). */
  | { kind: 'wait'; why: string }
  /** The lag is within the bound: stop the applier and open the next window (between). */
  | { kind: 'open' }
  /** Nothing is left to copy and no chunk is in flight: the run's own end. */
  | { kind: 'done' }
  /** The lag has been unknown or unreadable too long: end the run, every table back. */
  | { kind: 'fail'; message: string };

const s = (x: number) => `${Math.round(x * 10) / 10} s`;

/** What the run does next. Pure. */
export function decideWindow(f: WindowFacts): WindowDecision {
  const p = f.progress;
  if (!p.remaining && p.inFlight === 0) return { kind: 'done' };
  return f.phase.kind === 'open' ? decideOpen(f, f.phase.elapsedS) : decideBetween(f, f.phase);
}

function decideOpen(f: WindowFacts, elapsedS: number): WindowDecision {
  const p = f.progress;
  // The last chunks end in this window: no put-back and restart just to open one more.
  if (!p.remaining) return { kind: 'copy' };
  if (f.paused) return { kind: 'close', why: 'paused: the applier runs until the run is resumed' };
  if (p.startedThisWindow === 0) return { kind: 'copy' };
  if (elapsedS >= f.windowS) return { kind: 'close', why: `the window's ${s(f.windowS)} are spent` };
  if (elapsedS + (p.chunkS ?? 0) <= f.windowS) return { kind: 'copy' };
  return {
    kind: 'close',
    why: `another chunk (about ${s(p.chunkS ?? 0)}) would end after the window's ${s(f.windowS)}`,
  };
}

function decideBetween(f: WindowFacts, phase: Extract<WindowPhase, { kind: 'between' }>): WindowDecision {
  const lag = phase.lag;
  if (lag.kind !== 'seconds') {
    const what = lag.kind === 'unknown' ? `the lag is unknown (${lag.why})` : lag.message;
    const grace = f.lagGraceS ?? LAG_GRACE_S;
    if (phase.troubleS >= grace)
      return {
        kind: 'fail',
        message: `${what}, for ${s(phase.troubleS)}: no window opens without a lag within the bound`,
      };
    return { kind: 'wait', why: `${what}: counted as not caught up` };
  }
  if (f.paused) return { kind: 'wait', why: 'paused: the applier runs, no window opens' };
  if (lag.seconds <= f.catchUpTo) return { kind: 'open' };
  return {
    kind: 'wait',
    why: `catching up: ${s(lag.seconds)} behind, the next window opens at ${s(f.catchUpTo)}`,
  };
}
