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

/** Polls `cond` every 10 ms for up to `ms`; true once it holds, false on time-out. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
