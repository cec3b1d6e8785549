/**
 * The Writer: the one module that sends writes to the server. Twin, set aside, shell, twin in, copy
 * chunk, swap back, rename back, drop, replica stop/start, read_only and super_read_only, kill; every
 * statement from the builders in `src/sql`, the server's own forms chosen by the dialect. Everything
 * it sends but the copy and the shell's DDL is kept out of the binlog by the same round trip.
 *
 * Reads live in `src/inspect`; the engine decides what to do and asks the Writer to do it.
 */
import type { Db } from '../db/connection.js';
import type { Dialect } from '../flavours/index.js';
import type { Chunk, CopyKey } from '../model/copy.js';
import type { PlannedTable } from '../plan/plan.js';
import { twinSpecFor } from '../plan/plan.js';
import { surelyRolledBack } from '../db/failures.js';
import type { GtidSink } from './gtids.js';
import {
  advanceStart,
  copyKeysetChunk,
  copyPlannedChunk,
  dropIfEmpty,
  dropTables,
  killConnection,
  killQuery,
  nextBoundary,
  renameTable,
  rotateBinlog,
  seekStart,
  setGlobalReadOnly,
  setGlobalSuperReadOnly,
  setSqlLogBin,
  shellDdl,
  swapBack,
  twinAlter,
  type CopyTables,
} from '../sql/builders.js';

type Ref = { schema: string; table: string };

/** What the copy builders need of a planned table: its schema, name, backup and column names. */
function copyTables(t: PlannedTable): CopyTables {
  return { schema: t.schema, table: t.table, backup: t.backup, columns: t.columns.map((c) => c.name) };
}

/** The GTIDs MySQL's session tracker (session_track_gtids = OWN_GTID) returned with these replies. */
function trackedGtids(results: unknown[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const gtids = (r as { stateChanges?: { gtids?: unknown } } | null)?.stateChanges?.gtids;
    if (!Array.isArray(gtids)) continue;
    for (const g of gtids) if (typeof g === 'string' && g.trim()) out.push(g.trim());
  }
  return out;
}

function affected(res: unknown): number {
  if (res && typeof res === 'object' && 'affectedRows' in res)
    return Number((res as { affectedRows: number }).affectedRows);
  return 0;
}

/** The last result set of a multi-statement reply: `[{last: 0|1}]` (or another column's name). */
function lastFlag(results: unknown[], column = 'last'): boolean {
  const set = results[results.length - 1];
  const row = Array.isArray(set) ? (set[0] as Record<string, unknown> | undefined) : undefined;
  return Number(row?.[column]) === 1;
}

export class Writer {
  /** MariaDB: the session's `@@last_gtid` after its last binlogged statement. */
  private lastGtid = '';

  /** `gtids`: where each binlogged statement's GTID goes (a flush's workers; recovery logs nothing). */
  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    private readonly gtids?: GtidSink,
  ) {}

  /**
   * Statements with binary logging set for them, in one round trip. A copy is always the last
   * statement of its round trip (see keysetChunk).
   */
  private async send(binlog: boolean, statements: string[]): Promise<unknown[]> {
    const res = await this.db.multi([setSqlLogBin(binlog), ...statements]);
    return res.slice(1);
  }

  /**
   * A binlogged round trip of one table; the GTID its commit got goes to the run's record. A reply
   * that never came leaves the statement in doubt (it may have committed): the run then reads the
   * binlog for its GTIDs.
   */
  private async logged(tableId: number, statements: string[]): Promise<unknown[]> {
    if (!this.gtids) return this.send(true, statements);
    let res: unknown[];
    try {
      res = await this.send(true, statements);
    } catch (e) {
      if (!surelyRolledBack(e)) this.gtids.inDoubt();
      throw e;
    }
    try {
      for (const g of await this.gtidsOf(res)) this.gtids.committed(tableId, g);
    } catch {
      this.gtids.inDoubt(); // committed, but its GTID could not be read on this session
    }
    return res;
  }

  /** The GTIDs the statements just committed got: MySQL's session tracker, MariaDB's @@last_gtid. */
  private async gtidsOf(res: unknown[]): Promise<string[]> {
    const own = this.dialect.ownGtids;
    if ('tracker' in own) return trackedGtids(res);
    const g = String((await this.db.one(own.query))?.g ?? '');
    if (g === '' || g === this.lastGtid) return []; // nothing logged (a chunk without rows)
    this.lastGtid = g;
    return [g];
  }

  /* The table pipeline */

  /**
   * The twin's start: the table's definition (foreign keys left out) under the twin's parking name,
   * not logged. `makeTwin` then turns it into the marked BLACKHOLE twin, still under that name.
   */
  async createTwinShell(t: PlannedTable): Promise<void> {
    const opts = { stripChecks: this.dialect.checkNamesPerSchema };
    const stmt = shellDdl({
      showCreate: t.showCreate,
      schema: t.schema,
      table: t.table,
      createAs: t.twin,
      ...opts,
    });
    await this.send(false, [stmt]);
  }

  async makeTwin(t: PlannedTable, marker: string): Promise<void> {
    await this.send(false, [twinAlter(t.schema, t.twin, twinSpecFor(t, marker))]);
  }

  async setAside(t: PlannedTable): Promise<void> {
    await this.send(false, [renameTable({ schema: t.schema, from: t.table, to: t.backup })]);
  }

  /**
   * The table's real definition under its name, logged: the binlog's CREATE TABLE (--ddl create).
   * Sent only once the twin exists and the table is set aside.
   */
  async createShell(t: PlannedTable): Promise<void> {
    const stmt = shellDdl({
      showCreate: t.showCreate,
      schema: t.schema,
      table: t.table,
      stripChecks: this.dialect.checkNamesPerSchema,
    });
    await this.logged(t.id, [stmt]);
  }

  /**
   * The twin takes the real name, not logged: in one RENAME with the shell going to its parking name,
   * or (no shell: --ddl none) into the free name.
   */
  async twinIn(t: PlannedTable, shellParking: string | undefined): Promise<void> {
    await this.send(false, [
      shellParking
        ? swapBack({ schema: t.schema, table: t.table, parkAs: shellParking, from: t.twin })
        : renameTable({ schema: t.schema, from: t.twin, to: t.table }),
    ]);
  }

  /** One chunk of a range or parts copy; returns the rows written. */
  async copyPlannedChunk(t: PlannedTable, chunk: Chunk): Promise<number> {
    const [res] = await this.logged(t.id, [copyPlannedChunk(copyTables(t), t.key, chunk)]);
    return affected(res);
  }

  /** Keyset: find the end of the first chunk; true when it is also the last. */
  async keysetBegin(t: PlannedTable, key: CopyKey, rowsDone: number): Promise<boolean> {
    const seek = rowsDone > 0 ? seekStart(t, key, rowsDone) : [];
    return lastFlag(await this.db.multi([...seek, ...nextBoundary(t, key, t.chunkRows, rowsDone === 0)]));
  }

  /**
   * Keyset: copy the chunk the session's boundaries hold, and (unless last) find the next one. The
   * copy ends its round trip: a copy stopped by KILL QUERY with another statement after it in the
   * same round trip left mysql2 waiting for a reply that never came (MariaDB 10.11: within 7 to 155
   * random kills in each of three runs; none in 600 with the copy last).
   */
  async keysetChunk(
    t: PlannedTable,
    key: CopyKey,
    bounds: { first: boolean; last: boolean },
  ): Promise<{ rows: number; lastNext: boolean }> {
    const [res] = await this.logged(t.id, [copyKeysetChunk(copyTables(t), key, bounds)]);
    const rows = affected(res);
    if (bounds.last) return { rows, lastNext: true };
    const next = await this.db.multi([
      advanceStart(key.columns.length),
      ...nextBoundary(t, key, t.chunkRows, false),
    ]);
    return { rows, lastNext: lastFlag(next) };
  }

  async swapBack(t: { schema: string; table: string; backup: string; twin: string }): Promise<void> {
    await this.send(false, [swapBack({ schema: t.schema, table: t.table, parkAs: t.twin, from: t.backup })]);
  }

  /* Recovery */

  async renameBack(schema: string, backup: string, table: string): Promise<void> {
    await this.send(false, [renameTable({ schema, from: backup, to: table })]);
  }

  /**
   * Our shell under the real name, a definition the engine holds no data for (a server crash in the
   * middle of its CREATE TABLE), goes and the backup takes the name back. Only after the caller
   * checked the journal shows this run created it and the engine has no data for it.
   */
  async replaceDataLessShell(schema: string, table: string, backup: string): Promise<void> {
    await this.send(false, [
      dropTables([{ schema, table }]),
      renameTable({ schema, from: backup, to: table }),
    ]);
  }

  /** The original tool's twin goes and the backup takes the name back. */
  async replaceLegacyTwin(schema: string, table: string, backup: string): Promise<void> {
    await this.send(false, [
      dropTables([{ schema, table }]),
      renameTable({ schema, from: backup, to: table }),
    ]);
  }

  /** Only after the caller checked every one is a BLACKHOLE twin with this run's marker. */
  async dropCheckedTwins(twins: Ref[]): Promise<void> {
    if (twins.length) await this.send(false, [dropTables(twins)]);
  }

  /**
   * Only for a table the caller proved ours: dropped if the server finds it empty, in the same round
   * trip. Returns whether it was dropped.
   */
  async dropIfEmpty(schema: string, table: string): Promise<boolean> {
    return lastFlag(await this.send(false, dropIfEmpty(schema, table)), 'dropped');
  }

  /* The server */

  async stopReplica(): Promise<void> {
    await this.db.exec(this.dialect.stopReplica);
  }

  async startReplica(): Promise<void> {
    await this.db.exec(this.dialect.startReplica);
  }

  async rotateBinlog(): Promise<void> {
    await this.send(false, [rotateBinlog()]);
  }

  async setReadOnly(on: boolean): Promise<void> {
    await this.db.exec(setGlobalReadOnly(on));
  }

  async setSuperReadOnly(on: boolean): Promise<void> {
    await this.db.exec(setGlobalSuperReadOnly(on));
  }

  async killQuery(threadId: number): Promise<void> {
    await this.db.exec(killQuery(threadId));
  }

  async killConnection(threadId: number): Promise<void> {
    await this.db.exec(killConnection(threadId));
  }
}
