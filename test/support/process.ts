/** Watching a child process from a test: its state, and waiting for a condition. */
import { readFileSync } from 'node:fs';

/** The process's state letter from /proc: R running, S sleeping, T stopped ('' when gone). */
export function procState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? '';
  } catch {
    return '';
  }
}

/** How often a wait looks at its condition again (a poll interval: it orders nothing). */
const POLL_MS = 10;

/** Polls `cond` every 10 ms for up to `ms`; true once it holds, false on time-out. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}

/**
 * Waits until `cond` holds; after `ms` without it, throws `timed out after MS ms waiting for WHAT`
 * (and `: DETAIL` when `detail` says where things stand), so the test fails naming what never came.
 */
export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 60_000,
  detail?: () => string,
): Promise<void> {
  if (await waitFor(cond, ms)) return;
  throw new Error(`timed out after ${ms} ms waiting for ${what}${detail ? `: ${detail()}` : ''}`);
}

/**
 * Runs `sample` again and again, `ms` apart, until `stop()` (which resolves once the sample under
 * way is done): a watcher that records what it sees meanwhile. Its interval orders nothing; it is
 * only how finely it looks.
 */
export function sampleEvery(ms: number, sample: () => Promise<void>): { stop: () => Promise<void> } {
  let done = false;
  const loop = (async () => {
    while (!done) {
      await sample();
      await new Promise((r) => setTimeout(r, ms));
    }
  })();
  return {
    stop: async () => {
      done = true;
      await loop;
    },
  };
}
