/**
 * Putting one table back, from whatever state the live server shows. Used by the flusher's own
 * cleanup and by `recover`. Idempotent: a restored table needs nothing and gets nothing.
 * The only DROP this tool ever runs is in `dropOurTables`, behind its guard (`dropVerdict`).
 */
import type { Db } from '../db/connection.js';
import {
  cannotOpen,
  engineOnlyTables,
  liveTable,
  liveTables,
  noEngineData,
  type LiveTable,
} from '../inspect/set-aside.js';
import { liveShape } from '../inspect/shapes.js';
import type { Writer } from './writer.js';
import { qualify } from '../sql/quote.js';
import type { Logger } from '../model/log.js';
import { columnsHash } from '../plan/plan.js';
import type { StepName } from '../journal/journal.js';
import { shellName } from '../model/table-names.js';

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

/** What the guarded drop may do with one table. */
export type DropVerdict = 'twin' | 'if-empty' | 'refuse' | 'gone';

/**
 * The guard of the one DROP this tool runs. It takes exactly two kinds: our twin (BLACKHOLE, marked
 * with this run's marker: it holds no row), and a table the journal proves we created under that
 * name (`proven`), whatever its engine, which the server must then find empty right before the drop.
 */
export function dropVerdict(t: LiveTable, marker: string | undefined, proven: boolean): DropVerdict {
  if (!t.exists) return 'gone';
  if (isOurTwin(t, marker)) return 'twin';
  // A name the server lists but cannot open (engine ''), or a view, is never ours to drop.
  if (proven && t.type === 'BASE TABLE' && t.engine !== '') return 'if-empty';
  return 'refuse';
}

export interface OurTable {
  schema: string;
  table: string;
  /** The journal proves the run created it under this name (see createdByUs). */
  proven: boolean;
}

/**
 * The one DROP: our marked twins (in one statement), and our empty shells (each dropped only if the
 * server finds it empty, read in the same round trip as the DROP). Returns the tables refused, with
 * why; drops the others. Writes aimed at the real name never reach a parked table: it left that name
 * in a RENAME, which waited for every transaction on it to end.
 */
export async function dropOurTables(
  writes: Writer,
  tables: OurTable[],
  marker: string | undefined,
): Promise<{ table: OurTable; why: string }[]> {
  if (tables.length === 0) return [];
  const live = await liveTables(writes.db, tables);
  const refused: { table: OurTable; why: string }[] = [];
  const twins: OurTable[] = [];
  const shells: OurTable[] = [];
  tables.forEach((t, i) => {
    const v = dropVerdict(live[i]!, marker, t.proven);
    if (v === 'twin') twins.push(t);
    else if (v === 'if-empty') shells.push(t);
    else if (v === 'refuse') refused.push({ table: t, why: notOursWhy(live[i]!, t.proven) });
  });
  await writes.dropCheckedTwins(twins);
  for (const t of shells) {
    if (!(await writes.dropIfEmpty(t.schema, t.table))) {
      refused.push({ table: t, why: 'it holds rows, which this tool never drops' });
    }
  }
  return refused;
}

function notOursWhy(t: LiveTable, proven: boolean): string {
  if (!proven) return "the journal does not show this run created it, and it is not this run's marked twin";
  if (t.engine === '') return 'the server cannot open it';
  return `it is a ${t.type.toLowerCase()}, not a table this run created`;
}

/**
 * The tables that are set aside now: their backup exists, or their name is missing or held by a
 * twin. Only these need the replica's applier stopped while they are put back (a twin under the
 * real name would swallow what the applier writes); a table in place with debris parked beside it
 * does not.
 */
export async function tablesAside(
  db: Db,
  entries: RestoreEntry[],
  marker: string | undefined,
): Promise<RestoreEntry[]> {
  if (!entries.length) return [];
  const live = await liveTables(
    db,
    entries.flatMap((e) => [
      { schema: e.schema, table: e.table },
      { schema: e.schema, table: e.backup },
    ]),
  );
  return entries.filter((_, i) => {
    const [tb, bk] = [live[2 * i]!, live[2 * i + 1]!];
    return bk.exists || !tb.exists || isOurTwin(tb, marker) || (tb.engine === 'BLACKHOLE' && !marker);
  });
}

async function liveColumnsHash(db: Db, schema: string, table: string): Promise<string> {
  return columnsHash((await liveShape(db, schema, table)).columns);
}

async function sameColumns(db: Db, schema: string, a: string, b: string): Promise<boolean> {
  const names = async (t: string) =>
    (await liveShape(db, schema, t)).columns.map((c) => c.name).join('\u0000');
  return (await names(a)) === (await names(b));
}

export interface RestoreContext {
  /** The session that restores: reads through `writes.db`, writes through `writes`. */
  writes: Writer;
  /** This run's twin marker; undefined for journals of the original tool. */
  marker: string | undefined;
  /** Every step the journal shows begun for this table (what the run may have created). */
  seen: ReadonlySet<StepName>;
  log: Logger;
}

/** The parking names of a table's twin and shell (none for the original tool's journals). */
function parkingNames(e: RestoreEntry): { twin: string; shell: string } | undefined {
  return e.twin ? { twin: e.twin, shell: shellName(e.twin) } : undefined;
}

/**
 * Look at the live server and do what the state needs, with binlogging off.
 */
export async function restoreTable(e: RestoreEntry, ctx: RestoreContext): Promise<RestoreResult> {
  const { writes, marker } = ctx;
  const db = writes.db;
  const name = `${e.schema}.${e.table}`;
  const [tb, bk] = await Promise.all([liveTable(db, e.schema, e.table), liveTable(db, e.schema, e.backup)]);
  if (bk.exists) return fromBackup(e, tb, ctx);
  if (!tb.exists) {
    return {
      outcome: 'not-understood',
      ok: false,
      detail: `neither ${name} nor its backup ${e.backup} exists; left alone`,
    };
  }
  if (tb.type === 'BASE TABLE') {
    const why = tb.engine === '' ? tb.comment || 'no engine' : await cannotOpen(db, e.schema, e.table);
    if (why !== undefined) return definitionWithoutRows(e, { ...tb, comment: why }, ctx);
  }
  if (isOurTwin(tb, marker) || (tb.engine === 'BLACKHOLE' && !marker)) {
    return {
      outcome: 'not-understood',
      ok: false,
      detail: `${name} is a twin but its backup ${e.backup} is gone; left alone`,
    };
  }
  return clearParked(e, ctx, { outcome: 'already-restored', ok: true, detail: `${name} in place` });
}

/**
 * The table is in place: what the run parked beside it (its twin, its shell) is dropped by the
 * guard. The table is reported in place whatever happens to that debris; what the guard refuses is
 * named with why, for the DBA (recover never drops it, so it never sends anyone back to recover).
 */
async function clearParked(
  e: RestoreEntry,
  ctx: RestoreContext,
  done: RestoreResult,
): Promise<RestoreResult> {
  const names = parkingNames(e);
  if (!names) return done;
  const { writes, marker, seen } = ctx;
  const candidates: OurTable[] = [
    { schema: e.schema, table: names.twin, proven: createdByUs('twin', seen) },
    { schema: e.schema, table: names.shell, proven: createdByUs('parked-shell', seen) },
  ];
  const live = await liveTables(writes.db, candidates);
  const present = candidates.filter((_, i) => live[i]!.exists);
  if (present.length === 0) return done;
  let refused: { table: OurTable; why: string }[];
  try {
    refused = await dropOurTables(writes, present, marker);
  } catch (err) {
    refused = present.map((table) => ({ table, why: `the drop failed: ${(err as Error).message}` }));
  }
  const dropped = present.filter((p) => !refused.some((r) => r.table === p)).map((p) => p.table);
  let detail = done.detail;
  if (dropped.length)
    detail += `; dropped ${dropped.map((d) => `${e.schema}.${d}`).join(' and ')} (ours, empty)`;
  for (const r of refused) {
    detail +=
      `, but ${r.table.schema}.${r.table.table} is not ours to drop; left alone: ${r.why} ` +
      `(check it, then drop it by hand: SET sql_log_bin = 0; DROP TABLE ${qualify(r.table.schema, r.table.table)})`;
  }
  const outcome: RestoreOutcome = refused.length
    ? 'debris-left'
    : done.outcome === 'already-restored'
      ? 'parked-twin-dropped'
      : done.outcome;
  return { outcome, ok: done.ok, detail };
}

/** Only the backup exists: it takes its name back, unless engine debris holds the name. */
async function renameBack(e: RestoreEntry, ctx: RestoreContext): Promise<RestoreResult> {
  try {
    await ctx.writes.renameBack(e.schema, e.backup, e.table);
  } catch (err) {
    const debris = await engineOnlyTables(ctx.writes.db, e.schema, e.table);
    if (debris.length) return heldByEngineDebris(e, debris);
    throw err;
  }
  return clearParked(e, ctx, {
    outcome: 'renamed-back',
    ok: true,
    detail: `${e.schema}.${e.table} renamed back from ${e.backup}`,
  });
}

/**
 * The name is held by engine files without a table definition (MariaDB's crash recovery of an
 * interrupted partitioned CREATE TABLE leaves its `.par` and partitions, no `.frm`): SQL can neither
 * see nor drop them, so the backup cannot take its name back. Only a DBA on the server's host can
 * clear them; the steps are exact. Nothing is dropped here.
 */
function heldByEngineDebris(e: RestoreEntry, debris: string[]): RestoreResult {
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

/**
 * The name has a definition the server cannot open and the backup has none. When the backup's rows
 * are in the engine under its own name, an interrupted RENAME was half recovered by the server (the
 * definition moved, the partitions did not): the DBA moves the definition files back to the backup's
 * name and recover finishes. Never "in place": a table the server cannot open is not back.
 */
async function definitionWithoutRows(
  e: RestoreEntry,
  tb: LiveTable,
  ctx: RestoreContext,
): Promise<RestoreResult> {
  const rows = await engineOnlyTables(ctx.writes.db, e.schema, e.backup);
  if (!rows.length) return unopenable(e, tb, ctx);
  return {
    outcome: 'engine-debris',
    ok: false,
    detail:
      `the server cannot open ${e.schema}.${e.table} (${tb.comment || 'no engine'}), and the rows of its backup are in the engine under ${rows.join(', ')} with no definition: ` +
      `the server's crash recovery finished only half of a rename. On the server's host, in the schema's directory under @@datadir, ` +
      `rename ${e.table}.frm to ${e.backup}.frm (and ${e.table}.par to ${e.backup}.par where there is one), FLUSH LOCAL TABLES, then run recover again`,
  };
}

/** The server lists the name but cannot open it (information_schema says why in the comment). */
function unopenable(e: RestoreEntry, tb: LiveTable, ctx: RestoreContext): RestoreResult {
  const name = `${e.schema}.${e.table}`;
  const twinHint = createdByUs('shell', ctx.seen)
    ? ` The journal shows this run was creating its empty shell (or, format 1, its twin) under ${name}: check it holds no rows, then drop it (SET sql_log_bin = 0; DROP TABLE ${qualify(e.schema, e.table)}) and run recover again`
    : ' Left alone';
  return {
    outcome: 'not-understood',
    ok: false,
    detail:
      `the server cannot open ${name} (${tb.comment || 'no engine'}); a server crash in the middle of an ALTER TABLE can leave a table so. ` +
      `The table itself is safe as ${e.schema}.${e.backup}.${twinHint}`,
  };
}

/** The backup exists: the real table is set aside. */
async function fromBackup(e: RestoreEntry, tb: LiveTable, ctx: RestoreContext): Promise<RestoreResult> {
  const { writes, marker } = ctx;
  const db = writes.db;
  const name = `${e.schema}.${e.table}`;
  if (tb.exists && tb.type === 'BASE TABLE' && tb.engine === '') return unopenable(e, tb, ctx);
  if (e.columns && (await liveColumnsHash(db, e.schema, e.backup)) !== e.columns) {
    return {
      outcome: 'not-understood',
      ok: false,
      detail: `${e.schema}.${e.backup} (the set-aside ${name}) has other columns than when it was flushed: changed by hand since; left alone`,
    };
  }
  if (!tb.exists) return renameBack(e, ctx);
  const names = parkingNames(e);
  if (marker && names && isOurTwin(tb, marker)) {
    // The twin under the real name: it goes back to its parking name as the backup takes the name.
    if ((await liveTable(db, e.schema, names.twin)).exists) return allThree(e, names.twin);
    await writes.swapBack(e);
    return clearParked(e, ctx, {
      outcome: 'twin-replaced',
      ok: true,
      detail: `${name} back from ${e.backup}`,
    });
  }
  if (!marker && tb.engine === 'BLACKHOLE' && (await sameColumns(db, e.schema, e.table, e.backup))) {
    // The original tool's twin: a BLACKHOLE table with the backup's columns. It holds no rows.
    await writes.replaceLegacyTwin(e.schema, e.table, e.backup);
    return {
      outcome: 'twin-replaced',
      ok: true,
      detail: `${name} back from ${e.backup}; the original tool's twin dropped`,
    };
  }
  if (names && createdByUs('shell', ctx.seen) && tb.type === 'BASE TABLE' && tb.engine !== 'BLACKHOLE') {
    // A server crash in the middle of the shell's CREATE TABLE can leave its definition with no data
    // in the engine (MariaDB, partitioned): it holds no row, and the journal shows it is ours.
    if (await noEngineData(db, e.schema, e.table)) {
      await writes.replaceDataLessShell(e.schema, e.table, e.backup);
      return clearParked(e, ctx, {
        outcome: 'shell-replaced',
        ok: true,
        detail: `${name} back from ${e.backup}; its empty shell, a definition the server's crash recovery left without data, dropped`,
      });
    }
    // Our shell (the real DDL) under the real name: it goes to its parking name as the backup takes
    // the name back, in one RENAME; the guard then drops it if it is empty.
    if ((await liveTable(db, e.schema, names.shell)).exists) return allThree(e, names.shell);
    await writes.swapBack({ ...e, twin: names.shell });
    return clearParked(e, ctx, {
      outcome: 'shell-replaced',
      ok: true,
      detail: `${name} back from ${e.backup}`,
    });
  }
  return {
    outcome: 'not-understood',
    ok: false,
    detail: `${name} exists and is not our twin or shell, and its backup ${e.backup} exists too; left alone (compare them by hand)`,
  };
}

function allThree(e: RestoreEntry, parked: string): RestoreResult {
  return {
    outcome: 'not-understood',
    ok: false,
    detail: `${e.schema}.${e.table}, ${e.backup} and ${parked} all exist; left alone`,
  };
}
