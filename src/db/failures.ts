/**
 * What an error means for the run, decided in one place: is the connection still usable, did the
 * statement surely not commit, may a chunk be tried again. Every caller asks these predicates; none
 * keeps a list of its own.
 */
import { serverErrno } from '../model/errors.js';

const code = (e: unknown): string => String((e as { code?: unknown } | null)?.code ?? '');
const fatal = (e: unknown): boolean => (e as { fatal?: unknown } | null)?.fatal === true;

/** Client-side codes of a connection that is gone or out of step with the server. */
const LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);
/** Server errors that end the session: gone away (2006), lost during query (2013), killed (1927). */
const LOST_ERRNOS = new Set([2006, 2013, 1927]);
/** The statement was rolled back whole and nothing of it committed: lock wait timeout, deadlock. */
const ROLLED_BACK_ERRNOS = new Set([1205, 1213]);
/** The statement was stopped: KILL QUERY (1317), or a statement time limit (MariaDB 1969, MySQL 3024). */
const INTERRUPTED_ERRNOS = new Set([1317, 1969, 3024]);
const INTERRUPTED_CODES = new Set(['ER_QUERY_INTERRUPTED', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT']);

/** The connection must not be used again (a new one is needed). */
export function connectionUnusable(e: unknown): boolean {
  return (
    fatal(e) ||
    LOST_CODES.has(code(e)) ||
    LOST_ERRNOS.has(serverErrno(e) ?? 0) ||
    code(e) === 'ER_CONNECTION_KILLED'
  );
}

/** The server said the statement was rolled back: sending it again cannot duplicate anything. */
export function surelyRolledBack(e: unknown): boolean {
  return !connectionUnusable(e) && ROLLED_BACK_ERRNOS.has(serverErrno(e) ?? 0);
}

/** The statement was stopped by a kill or a time limit: it may or may not have committed. */
export function interrupted(e: unknown): boolean {
  return INTERRUPTED_ERRNOS.has(serverErrno(e) ?? 0) || INTERRUPTED_CODES.has(code(e));
}

/**
 * Whether the chunk's outcome is unknown: the reply was lost or the statement was stopped, so it may
 * still have committed on the server. Such a chunk is never sent again blindly: the binlog says
 * whether it committed.
 */
export function outcomeUnknown(e: unknown): boolean {
  return connectionUnusable(e) || interrupted(e);
}

/** A chunk that failed this way may be tried again (after the binlog is read when `outcomeUnknown`). */
export function chunkMayBeRetried(e: unknown): boolean {
  return surelyRolledBack(e) || outcomeUnknown(e);
}

/** An error of the local file system (the journal could not be written): nothing more may be done. */
export function fileSystemError(e: unknown): boolean {
  return typeof (e as { syscall?: unknown } | null)?.syscall === 'string' && !connectionUnusable(e);
}

/**
 * A rename (or the DDL under a real name) that the server rolled back may be sent again: a deadlock
 * (MySQL takes metadata locks on a table's foreign-key parents and children, so renames in one
 * family deadlock) or a lock wait timeout. Deadlocks are retried more often than lock waits, which
 * have already waited lock_wait_timeout each.
 */
export const DDL_RETRY = { deadlockAttempts: 8, lockWaitAttempts: 3, baseMs: 50, maxMs: 2000 } as const;

/**
 * How long to wait before sending a rolled-back DDL statement again after its `failures`-th failure
 * (1 for the first), or undefined: give up and let the error through. Exponential backoff with
 * `jitter` in [0, 1) spreading workers that collided apart.
 */
export function ddlRetryDelay(e: unknown, failures: number, jitter = Math.random()): number | undefined {
  if (!surelyRolledBack(e)) return undefined;
  const attempts = serverErrno(e) === 1213 ? DDL_RETRY.deadlockAttempts : DDL_RETRY.lockWaitAttempts;
  if (failures >= attempts) return undefined;
  const base = Math.min(DDL_RETRY.maxMs, DDL_RETRY.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.5 + Math.min(Math.max(jitter, 0), 1)));
}
