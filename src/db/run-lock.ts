/**
 * One actor per server. Whatever changes tables (flush, recover, the action's post step) holds the
 * server's run lock, a named lock of the server, for its whole run, on its control session. Each
 * worker session of a flush also holds a worker-slot lock: a run that died leaves its sessions on the
 * server until their last statement ends, and the next actor waits for those too before it touches a
 * table. Named locks vanish with their session (and with a server restart), so a dead client can
 * never hold them for ever.
 */
import type { Db } from './connection.js';
import type { PreflightFailure } from '../model/errors.js';
import type { Logger } from '../model/log.js';
import { namesFor, type Names } from '../model/input-names.js';
import { getLock, lockHolders, releaseLock } from '../sql/builders.js';
import { processOf } from '../sql/reads.js';

export const RUN_LOCK = 'binlog-flusher';
/** More than any run opens at once (concurrency <= 64, plus reconnects of sessions still busy). */
export const WORKER_SLOTS = 128;

export function workerLockName(slot: number): string {
  return `${RUN_LOCK}/worker/${slot}`;
}
const ALL_SLOTS = Array.from({ length: WORKER_SLOTS }, (_, i) => workerLockName(i + 1));

/** The server waits at most this long per GET_LOCK, so no statement outlives the client's timeout. */
const POLL_S = 1;

async function tryLock(db: Db, name: string, waitS: number): Promise<boolean> {
  return Number((await db.one(getLock(name, waitS)))?.got) === 1;
}

/** "connection 12 (app@10.0.0.5:4411), between statements for 30 s" from the process list; never its statement text. */
export async function describeConnection(db: Db, id: number): Promise<string> {
  const row = await db.one(...processOf(id)).catch(() => undefined);
  if (!row) return `connection ${id}`;
  // A run's control session is between statements most of the time while its workers copy: "idle"
  // would say the run is doing nothing.
  const doing = String(row.c) === 'Sleep' ? 'between statements' : 'running a statement';
  return `connection ${id} (${String(row.u)}@${String(row.h)}), ${doing} for ${String(row.t)} s`;
}

async function holderOf(db: Db, names: string[]): Promise<number[]> {
  const row = (await db.one(lockHolders(names))) ?? {};
  return Object.values(row)
    .filter((v) => v !== null && v !== undefined)
    .map(Number);
}

/**
 * The sessions of binlog-flusher runs on this server: each holds the run lock or a worker slot. They
 * write only into tables of ours (set aside, twins), so they are not writers to warn of.
 */
export async function runSessions(db: Db): Promise<number[]> {
  return holderOf(db, [RUN_LOCK, ...ALL_SLOTS]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The run lock could not be had: another run holds it (`run`), or this session had it but sessions
 * of an earlier run were still running statements (`sessions`: no run holds the server then).
 */
export type RunLockFailure = PreflightFailure & { heldBy: 'run' | 'sessions' };

function failure(message: string, fix: string, heldBy: RunLockFailure['heldBy']): RunLockFailure {
  return { check: 'run-lock', message, fix, heldBy };
}

/**
 * Take the run lock, waiting up to `waitS` seconds for another actor to finish, then wait (within the
 * same bound) until no session of an earlier run is still running a statement. Returns a failure that
 * names the holder and says what to do, or undefined once this session holds the lock.
 */
export async function acquireRunLock(
  db: Db,
  waitS: number,
  log?: Logger,
  n: Names = namesFor(),
): Promise<RunLockFailure | undefined> {
  const recoverIt =
    n.surface === 'action'
      ? 'run the action with mode: recover on its journal'
      : 'run `binlog-flusher recover` with its journal';
  const deadline = Date.now() + waitS * 1000;
  const left = () => Math.max(0, (deadline - Date.now()) / 1000);
  if (!(await tryLock(db, RUN_LOCK, 0))) {
    const [holder] = await holderOf(db, [RUN_LOCK]);
    const who = holder ? await describeConnection(db, holder) : 'a session that just ended';
    if (waitS > 0)
      log?.info(`another binlog-flusher run holds the run lock (${who}); waiting up to ${waitS} s`);
    let got = false;
    while (!got && left() > 0) got = await tryLock(db, RUN_LOCK, Math.min(POLL_S, Math.ceil(left())));
    if (!got) {
      const [still] = await holderOf(db, [RUN_LOCK]);
      return failure(
        `another binlog-flusher run holds the lock ${RUN_LOCK} on this server: ${still ? await describeConnection(db, still) : who}; waited ${waitS} s for it`,
        `that run (a flush, a recover or an action post step) changes tables now: let it finish and try again, or wait longer (${n.name('lock-wait')}). ` +
          `If its process is gone and the session hangs, end it with KILL <connection id>, then ${recoverIt}`,
        'run',
      );
    }
  }
  let said = false;
  for (;;) {
    const busy = await holderOf(db, ALL_SLOTS);
    if (busy.length === 0) return undefined;
    if (left() <= 0) {
      await db.exec(releaseLock(RUN_LOCK)).catch(() => undefined);
      const who = await Promise.all(busy.slice(0, 5).map((id) => describeConnection(db, id)));
      return failure(
        `sessions of an earlier binlog-flusher run are still running on this server: ${who.join('; ')}`,
        `wait for their statements to end (or end them with KILL <connection id>), then try again; raise ${n.name('lock-wait')} to wait longer`,
        'sessions',
      );
    }
    if (!said)
      log?.info(`waiting for ${busy.length} session(s) of an earlier run to end their last statement`);
    said = true;
    await sleep(250);
  }
}

/** A worker session marks itself as part of the run holding the lock (see the module comment). */
export async function claimWorkerSlot(db: Db, preferred = 1): Promise<number> {
  for (let k = 0; k < WORKER_SLOTS; k++) {
    const slot = ((preferred - 1 + k) % WORKER_SLOTS) + 1;
    if (await tryLock(db, workerLockName(slot), 0)) return slot;
  }
  throw new Error(`all ${WORKER_SLOTS} worker slots of the run lock are taken`);
}
