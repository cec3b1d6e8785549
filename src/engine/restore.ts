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
import type { Logger } from '../model/log.js';
import { columnsHash } from '../plan/plan.js';
import type { StepName } from '../journal/journal.js';
import {
  afterParked,
  decideRestore,
  heldByEngineDebris,
  isOurTwin,
  parkedCandidates,
  parkingNames,
  type RestoreAction,
  type RestoreEntry,
  type RestoreFact,
  type RestoreFacts,
  type RestoreResult,
} from './restore-decide.js';

export {
  createdByUs,
  isOurTwin,
  type OurName,
  type RestoreEntry,
  type RestoreOutcome,
  type RestoreResult,
} from './restore-decide.js';

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

/** Reads the one fact `decideRestore` asked for. */
async function readFact(fact: RestoreFact, e: RestoreEntry, db: Db): Promise<RestoreFacts[RestoreFact]> {
  const names = parkingNames(e);
  switch (fact) {
    case 'openError':
      return (await cannotOpen(db, e.schema, e.table)) ?? null;
    case 'backupColumns':
      return liveColumnsHash(db, e.schema, e.backup);
    case 'sameColumns':
      return sameColumns(db, e.schema, e.table, e.backup);
    case 'parkedTwin':
      return (await liveTable(db, e.schema, names!.twin)).exists;
    case 'parkedShell':
      return (await liveTable(db, e.schema, names!.shell)).exists;
    case 'noEngineData':
      return noEngineData(db, e.schema, e.table);
    case 'backupRowsInEngine':
      return engineOnlyTables(db, e.schema, e.backup);
  }
}

/**
 * Does the decided change. Returns a report in place of the decision's only when the server refused
 * it for a reason restore understands (engine debris under the real name); anything else throws.
 */
async function perform(
  action: RestoreAction,
  e: RestoreEntry,
  writes: Writer,
): Promise<RestoreResult | undefined> {
  const names = parkingNames(e);
  switch (action) {
    case 'none':
      return undefined;
    case 'rename-back':
      try {
        await writes.renameBack(e.schema, e.backup, e.table);
      } catch (err) {
        const debris = await engineOnlyTables(writes.db, e.schema, e.table);
        if (debris.length) return heldByEngineDebris(e, debris);
        throw err;
      }
      return undefined;
    case 'swap-twin':
      await writes.swapBack(e);
      return undefined;
    case 'swap-shell':
      await writes.swapBack({ ...e, twin: names!.shell });
      return undefined;
    case 'replace-legacy-twin':
      await writes.replaceLegacyTwin(e.schema, e.table, e.backup);
      return undefined;
    case 'replace-data-less-shell':
      await writes.replaceDataLessShell(e.schema, e.table, e.backup);
      return undefined;
  }
}

/**
 * Look at the live server and do what the state needs (decideRestore), with binlogging off.
 */
export async function restoreTable(e: RestoreEntry, ctx: RestoreContext): Promise<RestoreResult> {
  const db = ctx.writes.db;
  const [table, backup] = await Promise.all([
    liveTable(db, e.schema, e.table),
    liveTable(db, e.schema, e.backup),
  ]);
  const facts: RestoreFacts = { table, backup };
  const view = { marker: ctx.marker, seen: ctx.seen };
  for (;;) {
    const d = decideRestore(e, view, facts);
    if (d.kind === 'read') {
      if (facts[d.fact] !== undefined)
        throw new Error(`restore asked twice for ${d.fact} of ${e.schema}.${e.table}`);
      (facts as Record<RestoreFact, unknown>)[d.fact] = await readFact(d.fact, e, db);
      continue;
    }
    const refused = await perform(d.action, e, ctx.writes);
    if (refused) return refused;
    return d.clearParked ? clearParked(e, ctx, d.result) : d.result;
  }
}

/**
 * The table is in place: what the run parked beside it (its twin, its shell) is offered to the drop
 * guard, and the report says what it dropped and what it refused (afterParked).
 */
async function clearParked(
  e: RestoreEntry,
  ctx: RestoreContext,
  done: RestoreResult,
): Promise<RestoreResult> {
  const candidates = parkedCandidates(e, ctx.seen);
  if (!candidates.length) return done;
  const live = await liveTables(ctx.writes.db, candidates);
  const present = candidates.filter((_, i) => live[i]!.exists);
  if (present.length === 0) return done;
  let refused: { table: OurTable; why: string }[];
  try {
    refused = await dropOurTables(ctx.writes, present, ctx.marker);
  } catch (err) {
    refused = present.map((table) => ({ table, why: `the drop failed: ${(err as Error).message}` }));
  }
  const dropped = present.filter((p) => !refused.some((r) => r.table === p)).map((p) => p.table);
  return afterParked(done, e.schema, dropped, refused);
}
