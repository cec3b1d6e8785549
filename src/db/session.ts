/**
 * Session settings every connection of a flush runs with. Binlogging per statement is switched with
 * `sql_log_bin`; nothing here changes the server for anyone else.
 */
import type { Db } from './connection.js';
import type { Dialect, SessionSetting } from '../flavours/index.js';
import { SQL_LOG_BIN_PROBE, sessionBasics, setSession } from '../sql/builders.js';
import { sessionVariablesIn } from '../sql/reads.js';

/**
 * - NO_ENGINE_SUBSTITUTION: a missing BLACKHOLE engine fails instead of silently becoming InnoDB.
 * - NO_AUTO_VALUE_ON_ZERO: a stored 0 in an AUTO_INCREMENT column is copied as 0.
 * - not strict: rows the table already holds (zero dates, say) are copied as they are.
 */
export const SESSION_SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION';

export interface SessionProblem {
  variable: string;
  error: string;
  /** The privilege that lets a session set it (for preflight's fix). */
  privilege: string;
}

/** Metadata-lock waits end well before the statement timeout, so a blocked rename fails cleanly. */
export function lockWaitFor(timeoutS: number): number {
  return Math.max(1, Math.min(120, Math.floor(timeoutS / 2)));
}

const normal = (v: unknown): string => {
  const s = String(v ?? '')
    .replace(/^'(.*)'$/, '$1')
    .toUpperCase();
  return s === '1' ? 'ON' : s === '0' ? 'OFF' : s;
};

/**
 * The assignments a session needs, given what it has: a setting whose variable the server does not
 * have (`undefined`) is skipped, one already at its value is left alone.
 */
export function assignmentsFor(settings: SessionSetting[], current: Map<string, unknown>): SessionSetting[] {
  return settings.filter(
    (x) => current.get(x.variable) !== undefined && normal(current.get(x.variable)) !== normal(x.value),
  );
}

/** The session values of these variables, in one round trip; a variable the server lacks is absent. */
async function currentValues(db: Db, settings: SessionSetting[]): Promise<Map<string, unknown>> {
  const names = settings.map((x) => x.variable);
  const rows = await db.rows(...sessionVariablesIn(names));
  return new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), r.Value ?? '']));
}

/**
 * Prepare a session for the flush: the dialect's `sessionSettings` plus `extra` (the run's GTID
 * placement). Returns what could not be set; preflight reports it.
 */
export async function prepareSession(
  db: Db,
  d: Dialect,
  lockWaitTimeout = 120,
  extra: SessionSetting[] = [],
): Promise<SessionProblem[]> {
  await db.exec(sessionBasics(SESSION_SQL_MODE, lockWaitTimeout));
  const settings = [...d.sessionSettings, ...extra];
  const problems: SessionProblem[] = [];
  for (const x of assignmentsFor(settings, await currentValues(db, settings))) {
    try {
      await db.exec(setSession(x.variable, x.value));
    } catch (e) {
      problems.push({ variable: x.variable, error: (e as Error).message, privilege: x.privilege });
    }
  }
  return problems;
}

/** Whether this session may switch binlogging off and on. */
export async function canToggleSqlLogBin(db: Db): Promise<string | undefined> {
  try {
    await db.exec(SQL_LOG_BIN_PROBE);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
