/**
 * What putting one table back needs, decided purely from what the live server shows. `decideRestore`
 * either asks for one more fact (so the executor reads only what the state needs, in the order it
 * needs it) or says what to do and what to report. restore.ts reads and acts; nothing here touches a
 * server.
 */
import type { LiveTable } from '../inspect/set-aside.js';
import type { StepName } from '../journal/journal.js';
import { shellName } from '../model/table-names.js';
import { qualify } from '../sql/quote.js';

export interface RestoreEntry {
  schema: string;
  table: string;
  backup: string;
  /** Parking name of the twin; '' for journals of the original tool. */
  twin: string;
  /** Columns fingerprint from the journal (see plan.columnsHash). */
  columns?: string;
}

export type RestoreOutcome =
  | 'already-restored'
  | 'renamed-back'
  | 'twin-replaced'
  | 'shell-replaced'
  | 'parked-twin-dropped'
  | 'debris-left'
  | 'engine-debris'
  | 'not-understood';

export interface RestoreResult {
  outcome: RestoreOutcome;
  ok: boolean;
  detail: string;
}

export function isOurTwin(t: LiveTable, marker: string | undefined): boolean {
  return t.exists && t.engine === 'BLACKHOLE' && marker !== undefined && t.comment === marker;
}

/** The names a run creates for a table, besides the backup (which holds the table itself). */
export type OurName =
  /** The twin's parking name: the twin is built there, and parked there after the swap back. */
  | 'twin'
  /** The real name while the table is set aside: the shell (its real DDL, empty) is created there. */
  | 'shell'
  /** The shell's parking name, once the twin has taken the real name. */
  | 'parked-shell';

/**
 * Whether the journal proves the run created what may be under that name: the step that creates it
 * was journaled for the table. Format 1's `twin` step created the shell under the real name, altered
 * it there, and parked it under the twin's name.
 */
export function createdByUs(name: OurName, seen: ReadonlySet<StepName>): boolean {
  switch (name) {
    case 'twin':
      return seen.has('build-twin') || seen.has('twin');
    case 'shell':
    case 'parked-shell':
      return seen.has('ddl') || seen.has('twin');
  }
}

/** The parking names of a table's twin and shell (none for the original tool's journals). */
export function parkingNames(e: RestoreEntry): { twin: string; shell: string } | undefined {
  return e.twin ? { twin: e.twin, shell: shellName(e.twin) } : undefined;
}

/**
 * What the server shows, beyond the two names every decision starts from. Each is read only when
 * the decision reaches the question it answers.
 */
export interface RestoreFacts {
  /** The real name. */
  table: LiveTable;
  /** The backup name. */
  backup: LiveTable;
  /** Why the server cannot open the table under its real name; null: it opens. */
  openError?: string | null;
  /** The backup's columns fingerprint (plan.columnsHash), to compare with the journal's. */
  backupColumns?: string;
  /** The table under the real name has the backup's column names, in order. */
  sameColumns?: boolean;
  /** Something exists under the twin's parking name. */
  parkedTwin?: boolean;
  /** Something exists under the shell's parking name. */
  parkedShell?: boolean;
  /** The engine has no data for the definition under the real name (it holds no row). */
  noEngineData?: boolean;
  /** InnoDB tables under the backup's name with no definition (its rows, half renamed). */
  backupRowsInEngine?: string[];
}

export type RestoreFact = Exclude<keyof RestoreFacts, 'table' | 'backup'>;

/** The one change a decision makes; `none` reports without a change. */
export type RestoreAction =
  | 'none'
  /** Only the backup exists: RENAME it to the real name. */
  | 'rename-back'
  /** Our twin holds the real name: it goes to its parking name as the backup takes the name. */
  | 'swap-twin'
  /** Our shell holds the real name: it goes to its parking name as the backup takes the name. */
  | 'swap-shell'
  /** The original tool's twin holds the real name: it is dropped as the backup takes the name. */
  | 'replace-legacy-twin'
  /** Our shell with no engine data holds the real name: dropped, then the backup takes the name. */
  | 'replace-data-less-shell';

export type RestoreDecision =
  | { kind: 'read'; fact: RestoreFact }
  | {
      kind: 'act';
      action: RestoreAction;
      /** What to report once the action is done (before what the parked-debris guard adds). */
      result: RestoreResult;
      /** Whether what the run parked beside the table is then cleared by the drop guard. */
      clearParked: boolean;
    };

export interface RestoreView {
  /** This run's twin marker; undefined for journals of the original tool. */
  marker: string | undefined;
  /** Every step the journal shows begun for this table. */
  seen: ReadonlySet<StepName>;
}

const read = (fact: RestoreFact): RestoreDecision => ({ kind: 'read', fact });
const report = (result: RestoreResult): RestoreDecision => ({
  kind: 'act',
  action: 'none',
  result,
  clearParked: false,
});
const act = (action: RestoreAction, result: RestoreResult, clearParked = true): RestoreDecision => ({
  kind: 'act',
  action,
  result,
  clearParked,
});
const notUnderstood = (detail: string): RestoreResult => ({ outcome: 'not-understood', ok: false, detail });

/** The decision for one table, from what the server shows (see RestoreFacts). */
export function decideRestore(e: RestoreEntry, v: RestoreView, f: RestoreFacts): RestoreDecision {
  if (f.backup.exists) return fromBackup(e, v, f);
  const { table: tb } = f;
  const name = `${e.schema}.${e.table}`;
  if (!tb.exists)
    return report(notUnderstood(`neither ${name} nor its backup ${e.backup} exists; left alone`));
  if (tb.type === 'BASE TABLE') {
    let why: string | undefined;
    if (tb.engine === '') why = tb.comment || 'no engine';
    else if (f.openError === undefined) return read('openError');
    else why = f.openError ?? undefined;
    if (why !== undefined) {
      if (f.backupRowsInEngine === undefined) return read('backupRowsInEngine');
      if (!f.backupRowsInEngine.length) return report(unopenable(e, { ...tb, comment: why }, v.seen));
      return report(halfRenamed(e, why, f.backupRowsInEngine));
    }
  }
  if (isOurTwin(tb, v.marker) || (tb.engine === 'BLACKHOLE' && !v.marker))
    return report(notUnderstood(`${name} is a twin but its backup ${e.backup} is gone; left alone`));
  return act('none', { outcome: 'already-restored', ok: true, detail: `${name} in place` });
}

/** The backup exists: the real table is set aside. */
function fromBackup(e: RestoreEntry, v: RestoreView, f: RestoreFacts): RestoreDecision {
  const { table: tb } = f;
  const name = `${e.schema}.${e.table}`;
  if (tb.exists && tb.type === 'BASE TABLE' && tb.engine === '') return report(unopenable(e, tb, v.seen));
  if (e.columns) {
    if (f.backupColumns === undefined) return read('backupColumns');
    if (f.backupColumns !== e.columns)
      return report(
        notUnderstood(
          `${e.schema}.${e.backup} (the set-aside ${name}) has other columns than when it was flushed: changed by hand since; left alone`,
        ),
      );
  }
  if (!tb.exists)
    return act('rename-back', {
      outcome: 'renamed-back',
      ok: true,
      detail: `${name} renamed back from ${e.backup}`,
    });
  const names = parkingNames(e);
  if (v.marker && names && isOurTwin(tb, v.marker)) {
    if (f.parkedTwin === undefined) return read('parkedTwin');
    if (f.parkedTwin) return report(allThree(e, names.twin));
    return act('swap-twin', { outcome: 'twin-replaced', ok: true, detail: `${name} back from ${e.backup}` });
  }
  if (!v.marker && tb.engine === 'BLACKHOLE') {
    if (f.sameColumns === undefined) return read('sameColumns');
    if (f.sameColumns)
      return act(
        'replace-legacy-twin',
        {
          outcome: 'twin-replaced',
          ok: true,
          detail: `${name} back from ${e.backup}; the original tool's twin dropped`,
        },
        false,
      );
  }
  if (names && createdByUs('shell', v.seen) && tb.type === 'BASE TABLE' && tb.engine !== 'BLACKHOLE') {
    // A server crash in the middle of the shell's CREATE TABLE can leave its definition with no data
    // in the engine (MariaDB, partitioned): it holds no row, and the journal shows it is ours.
    if (f.noEngineData === undefined) return read('noEngineData');
    if (f.noEngineData)
      return act('replace-data-less-shell', {
        outcome: 'shell-replaced',
        ok: true,
        detail: `${name} back from ${e.backup}; its empty shell, a definition the server's crash recovery left without data, dropped`,
      });
    if (f.parkedShell === undefined) return read('parkedShell');
    if (f.parkedShell) return report(allThree(e, names.shell));
    return act('swap-shell', {
      outcome: 'shell-replaced',
      ok: true,
      detail: `${name} back from ${e.backup}`,
    });
  }
  return report(
    notUnderstood(
      `${name} exists and is not our twin or shell, and its backup ${e.backup} exists too; left alone (compare them by hand)`,
    ),
  );
}

function allThree(e: RestoreEntry, parked: string): RestoreResult {
  return notUnderstood(`${e.schema}.${e.table}, ${e.backup} and ${parked} all exist; left alone`);
}

/** The server lists the name but cannot open it (information_schema says why in the comment). */
function unopenable(e: RestoreEntry, tb: LiveTable, seen: ReadonlySet<StepName>): RestoreResult {
  const name = `${e.schema}.${e.table}`;
  const twinHint = createdByUs('shell', seen)
    ? ` The journal shows this run was creating its empty shell (or, format 1, its twin) under ${name}: check it holds no rows, then drop it (SET sql_log_bin = 0; DROP TABLE ${qualify(e.schema, e.table)}) and run recover again`
    : ' Left alone';
  return notUnderstood(
    `the server cannot open ${name} (${tb.comment || 'no engine'}); a server crash in the middle of an ALTER TABLE can leave a table so. ` +
      `The table itself is safe as ${e.schema}.${e.backup}.${twinHint}`,
  );
}

/**
 * The name has a definition the server cannot open and the backup has none, and the backup's rows
 * are in the engine under its own name: an interrupted RENAME was half recovered by the server (the
 * definition moved, the partitions did not). The DBA moves the definition files back to the backup's
 * name and recover finishes. Never "in place": a table the server cannot open is not back.
 */
function halfRenamed(e: RestoreEntry, why: string, rows: string[]): RestoreResult {
  return {
    outcome: 'engine-debris',
    ok: false,
    detail:
      `the server cannot open ${e.schema}.${e.table} (${why || 'no engine'}), and the rows of its backup are in the engine under ${rows.join(', ')} with no definition: ` +
      `the server's crash recovery finished only half of a rename. On the server's host, in the schema's directory under @@datadir, ` +
      `rename ${e.table}.frm to ${e.backup}.frm (and ${e.table}.par to ${e.backup}.par where there is one), FLUSH LOCAL TABLES, then run recover again`,
  };
}

/**
 * The name is held by engine files without a table definition (MariaDB's crash recovery of an
 * interrupted partitioned CREATE TABLE leaves its `.par` and partitions, no `.frm`): SQL can neither
 * see nor drop them, so the backup cannot take its name back. Only a DBA on the server's host can
 * clear them; the steps are exact. Nothing is dropped.
 */
export function heldByEngineDebris(e: RestoreEntry, debris: string[]): RestoreResult {
  const donor = `${e.backup}_frm`;
  return {
    outcome: 'engine-debris',
    ok: false,
    detail:
      `${e.schema}.${e.table} cannot take its name back: the server's crash recovery left engine files without a table definition under it (${debris.join(', ')}), ` +
      `the remains of this run's empty shell. The table itself is safe as ${e.schema}.${e.backup}. On the server's host: ` +
      `(1) SET sql_log_bin = 0; CREATE TABLE ${qualify(e.schema, donor)} LIKE ${qualify(e.schema, e.backup)}; ` +
      `(2) in the schema's directory under @@datadir, copy ${donor}.frm to ${e.table}.frm (same owner); ` +
      `(3) SET sql_log_bin = 0; DROP TABLE ${qualify(e.schema, e.table)}, ${qualify(e.schema, donor)}; (4) run recover again`,
  };
}

/** A parked name the drop guard may consider, with whether the journal proves it ours. */
export interface ParkedCandidate {
  schema: string;
  table: string;
  proven: boolean;
}

/** What the run may have parked beside the table: its twin and its shell. */
export function parkedCandidates(e: RestoreEntry, seen: ReadonlySet<StepName>): ParkedCandidate[] {
  const names = parkingNames(e);
  if (!names) return [];
  return [
    { schema: e.schema, table: names.twin, proven: createdByUs('twin', seen) },
    { schema: e.schema, table: names.shell, proven: createdByUs('parked-shell', seen) },
  ];
}

/**
 * The report once the parked debris was offered to the drop guard: the table is reported as it was
 * (in place, renamed back, ...) whatever happens to the debris; what the guard refused is named with
 * why and the DBA's statement (recover never drops it, so it never sends anyone back to recover).
 */
export function afterParked(
  done: RestoreResult,
  schema: string,
  dropped: string[],
  refused: { table: { schema: string; table: string }; why: string }[],
): RestoreResult {
  let detail = done.detail;
  if (dropped.length)
    detail += `; dropped ${dropped.map((d) => `${schema}.${d}`).join(' and ')} (ours, empty)`;
  for (const r of refused) {
    detail +=
      `, but ${r.table.schema}.${r.table.table} is not ours to drop; left alone: ${r.why} ` +
      `(check it, then drop it by hand: SET sql_log_bin = 0; DROP TABLE ${qualify(r.table.schema, r.table.table)})`;
  }
  const outcome: RestoreOutcome = refused.length
    ? 'debris-left'
    : dropped.length && done.outcome === 'already-restored'
      ? 'parked-twin-dropped'
      : done.outcome;
  return { outcome, ok: done.ok, detail };
}
