/**
 * Putting one table back, from whatever state the live server shows. Used by the flusher's own
 * cleanup and by `recover`. Idempotent: a restored table needs nothing and gets nothing.
 * The only DROP this tool ever runs is in `dropOurTwins`, behind its guard.
 */
import type { Db } from '../db/connection.js';
import {
  cannotOpen,
  engineOnlyTables,
  isEmpty,
  liveShape,
  liveTable,
  type LiveTable,
} from '../inspect/inspector.js';
import type { Applier } from './applier.js';
import { qualify } from '../sql/quote.js';
import type { Logger } from '../log.js';
import { columnsHash } from '../plan/plan.js';

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

/** The one DROP: only BLACKHOLE tables carrying this run's marker, checked all at once. */
export async function dropOurTwins(
  apply: Applier,
  twins: { schema: string; table: string }[],
  marker: string,
): Promise<void> {
  if (twins.length === 0) return;
  const live = await apply.db.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, UPPER(IFNULL(ENGINE, '')) AS e, IFNULL(TABLE_COMMENT, '') AS c
       FROM information_schema.TABLES WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${twins.map(() => '(?, ?)').join(', ')})`,
    twins.flatMap((t) => [t.schema, t.table]),
  );
  const ours = (t: { schema: string; table: string }) =>
    live.some((r) => r.s === t.schema && r.t === t.table && r.e === 'BLACKHOLE' && r.c === marker);
  const refused = twins.filter((t) => !ours(t));
  if (refused.length) {
    throw new Error(
      `refusing to drop ${refused.map((t) => `${t.schema}.${t.table}`).join(', ')}: not a BLACKHOLE twin marked ${JSON.stringify(marker)}`,
    );
  }
  await apply.dropCheckedTwins(twins);
}

export async function dropOurTwin(
  apply: Applier,
  schema: string,
  name: string,
  marker: string,
): Promise<void> {
  await dropOurTwins(apply, [{ schema, table: name }], marker);
}

async function liveColumnsHash(db: Db, schema: string, table: string): Promise<string> {
  return columnsHash((await liveShape(db, schema, table)).columns);
}

async function sameColumns(db: Db, schema: string, a: string, b: string): Promise<boolean> {
  const names = async (t: string) =>
    (await liveShape(db, schema, t)).columns.map((c) => c.name).join('\u0000');
  return (await names(a)) === (await names(b));
}

/** Turn an empty, non-BLACKHOLE table of ours into a marked twin so the guarded drop can take it. */
async function convertShell(apply: Applier, schema: string, name: string, marker: string): Promise<void> {
  const shape = await liveShape(apply.db, schema, name);
  await apply.convertToTwin(schema, name, { ...shape, marker });
}

export interface RestoreContext {
  /** The session that restores: reads through `apply.db`, writes through `apply`. */
  apply: Applier;
  /** This run's twin marker; undefined for journals of the original tool. */
  marker: string | undefined;
  /** The journal says the shell/twin step had begun for this table. */
  shellMayExist: boolean;
  log: Logger;
}

/**
 * Look at the live server and do what the state needs, with binlogging off.
 */
export async function restoreTable(e: RestoreEntry, ctx: RestoreContext): Promise<RestoreResult> {
  const { apply, marker } = ctx;
  const db = apply.db;
  const name = `${e.schema}.${e.table}`;
  const [tb, bk] = await Promise.all([liveTable(db, e.schema, e.table), liveTable(db, e.schema, e.backup)]);
  const tw = e.twin ? await liveTable(db, e.schema, e.twin) : undefined;
  if (bk.exists) return fromBackup(e, tb, tw, ctx);
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
  if (tw?.exists) return removeDebris(e, tw, ctx);
  return { outcome: 'already-restored', ok: true, detail: `${name} in place` };
}

/**
 * The table is in place and something is parked under its twin name: our twin, or our empty shell,
 * is dropped. The table is reported in place whatever happens to that debris.
 */
async function removeDebris(e: RestoreEntry, tw: LiveTable, ctx: RestoreContext): Promise<RestoreResult> {
  const { apply, marker } = ctx;
  const db = apply.db;
  const name = `${e.schema}.${e.table}`;
  try {
    if (marker && isOurTwin(tw, marker)) {
      await dropOurTwin(apply, e.schema, e.twin, marker);
      return {
        outcome: 'parked-twin-dropped',
        ok: true,
        detail: `${name} in place; dropped its parked twin ${e.twin}`,
      };
    }
    if (marker && tw.engine !== 'BLACKHOLE' && ctx.shellMayExist && (await isEmpty(db, e.schema, e.twin))) {
      await convertShell(apply, e.schema, e.twin, marker);
      await dropOurTwin(apply, e.schema, e.twin, marker);
      return {
        outcome: 'parked-twin-dropped',
        ok: true,
        detail: `${name} in place; dropped its parked shell ${e.twin}`,
      };
    }
  } catch (err) {
    return {
      outcome: 'debris-left',
      ok: true,
      detail: `${name} in place; its parked ${e.schema}.${e.twin} could not be removed (${(err as Error).message}): check it is empty, then drop it by hand`,
    };
  }
  return {
    outcome: 'debris-left',
    ok: true,
    detail: `${name} in place, but ${e.schema}.${e.twin} is not our twin; left alone (check it, then drop it by hand)`,
  };
}

/** Only the backup exists: it takes its name back, unless engine debris holds the name. */
async function renameBack(e: RestoreEntry, ctx: RestoreContext): Promise<RestoreResult> {
  try {
    await ctx.apply.renameBack(e.schema, e.backup, e.table);
  } catch (err) {
    const debris = await engineOnlyTables(ctx.apply.db, e.schema, e.table);
    if (debris.length) return heldByEngineDebris(e, debris);
    throw err;
  }
  return {
    outcome: 'renamed-back',
    ok: true,
    detail: `${e.schema}.${e.table} renamed back from ${e.backup}`,
  };
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
  const rows = await engineOnlyTables(ctx.apply.db, e.schema, e.backup);
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
  const twinHint = ctx.shellMayExist
    ? ` The journal shows ${name} was being made into this run's empty twin: check its definition names BLACKHOLE and the comment ${JSON.stringify(ctx.marker ?? '')}, then drop it (SET sql_log_bin = 0; DROP TABLE ...) and run recover again`
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
async function fromBackup(
  e: RestoreEntry,
  tb: LiveTable,
  tw: LiveTable | undefined,
  ctx: RestoreContext,
): Promise<RestoreResult> {
  const { apply, marker } = ctx;
  const db = apply.db;
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
  if (tw?.exists) {
    return {
      outcome: 'not-understood',
      ok: false,
      detail: `${name}, ${e.backup} and ${e.twin} all exist; left alone`,
    };
  }
  if (marker && isOurTwin(tb, marker)) {
    await apply.swapBack(e);
    await dropOurTwin(apply, e.schema, e.twin, marker);
    return { outcome: 'twin-replaced', ok: true, detail: `${name} back from ${e.backup}; twin dropped` };
  }
  if (!marker && tb.engine === 'BLACKHOLE' && (await sameColumns(db, e.schema, e.table, e.backup))) {
    // The original tool's twin: a BLACKHOLE table with the backup's columns. It holds no rows.
    await apply.replaceLegacyTwin(e.schema, e.table, e.backup);
    return {
      outcome: 'twin-replaced',
      ok: true,
      detail: `${name} back from ${e.backup}; the original tool's twin dropped`,
    };
  }
  if (
    marker &&
    ctx.shellMayExist &&
    tb.type === 'BASE TABLE' &&
    tb.engine !== 'BLACKHOLE' &&
    (await isEmpty(db, e.schema, e.table))
  ) {
    // Died between creating the shell (the real DDL, empty) and turning it into the twin.
    await apply.swapBack(e);
    try {
      await convertShell(apply, e.schema, e.twin, marker);
      await dropOurTwin(apply, e.schema, e.twin, marker);
    } catch (err) {
      ctx.log.warn(
        `${name} is back, but its empty shell ${e.schema}.${e.twin} could not be removed: ${(err as Error).message}`,
      );
      return {
        outcome: 'shell-replaced',
        ok: true,
        detail: `${name} back from ${e.backup}; empty shell left as ${e.twin}`,
      };
    }
    return {
      outcome: 'shell-replaced',
      ok: true,
      detail: `${name} back from ${e.backup}; empty shell dropped`,
    };
  }
  return {
    outcome: 'not-understood',
    ok: false,
    detail: `${name} exists and is not our twin, and its backup ${e.backup} exists too; left alone (compare them by hand)`,
  };
}
