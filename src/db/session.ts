/**
 * Session settings every connection of a flush runs with. Binlogging per statement is switched with
 * `sql_log_bin`; nothing here changes the server for anyone else.
 */
import type { Db } from './connection.js';

/**
 * - ROW format and FULL row image: what row-based CDC consumers need.
 * - NO_ENGINE_SUBSTITUTION: a missing BLACKHOLE engine fails instead of silently becoming InnoDB.
 * - NO_AUTO_VALUE_ON_ZERO: a stored 0 in an AUTO_INCREMENT column is copied as 0.
 * - not strict: rows the table already holds (zero dates, say) are copied as they are.
 */
const OFF_WHERE_ON = [
  'binlog_annotate_row_events',
  'binlog_rows_query_log_events',
  'sql_require_primary_key',
  'sql_generate_invisible_primary_key',
];

export const SESSION_SQL_MODE = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION';

export interface SessionProblem {
  variable: string;
  error: string;
}

async function trySet(
  db: Db,
  assignment: string,
  variable: string,
  problems: SessionProblem[],
): Promise<void> {
  try {
    await db.exec(`SET SESSION ${assignment}`);
  } catch (e) {
    problems.push({ variable, error: (e as Error).message });
  }
}

/** Prepare a session; returns what could not be set (preflight reports it). */
/** Metadata-lock waits end well before the statement timeout, so a blocked rename fails cleanly. */
export function lockWaitFor(timeoutS: number): number {
  return Math.max(1, Math.min(120, Math.floor(timeoutS / 2)));
}

export async function prepareSession(db: Db, lockWaitTimeout = 120): Promise<SessionProblem[]> {
  const problems: SessionProblem[] = [];
  const cur = await db.one('SELECT @@SESSION.binlog_format AS f, @@SESSION.binlog_row_image AS i');
  await db.exec(
    `SET SESSION sql_mode = '${SESSION_SQL_MODE}', SESSION lock_wait_timeout = ${lockWaitTimeout}`,
  );
  if (String(cur?.f).toUpperCase() !== 'ROW')
    await trySet(db, "binlog_format = 'ROW'", 'binlog_format', problems);
  if (String(cur?.i).toUpperCase() !== 'FULL')
    await trySet(db, "binlog_row_image = 'FULL'", 'binlog_row_image', problems);
  // Switched off where they exist and are on:
  // - binlog_annotate_row_events (MariaDB), binlog_rows_query_log_events (MySQL): the statement text of
  //   our INSERT ... SELECT (which names the backup) must not ride along with the row events;
  // - sql_require_primary_key, sql_generate_invisible_primary_key (MySQL): a shell or twin without a
  //   primary key must be created as it is.
  for (const v of OFF_WHERE_ON) {
    const on = await db
      .one(`SELECT @@SESSION.${v} AS v`)
      .then((r) => ['1', 'ON'].includes(String(r?.v).toUpperCase()))
      .catch(() => false);
    if (on) await trySet(db, `${v} = OFF`, v, problems);
  }
  return problems;
}

/** Whether this session may switch binlogging off and on. */
export async function canToggleSqlLogBin(db: Db): Promise<string | undefined> {
  try {
    await db.exec('SET SESSION sql_log_bin = 0; SET SESSION sql_log_bin = 1');
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
