/**
 * The manifest: for every table a run flushed, where its events are in the binlog (file:position and
 * GTID before its first event and after its last), its rows and chunks; and, marked `partial`, every
 * table put back before it was copied whole, with what of it the binlog holds. Built from the journal
 * alone, so it can be rebuilt from any journal; written next to it as `<journal>.manifest.json`.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { errorText } from '../model/errors.js';
import {
  readJournal,
  tableState,
  type JournalPosition,
  type JournalState,
  type TableFlushed,
} from './journal.js';
import { gtidSetOf, journalFlavour } from '../flavours/index.js';

export const MANIFEST_KIND = 'binlog-flusher-manifest';

export interface ManifestTable {
  schema: string;
  table: string;
  rows: number;
  chunks?: number;
  start?: JournalPosition;
  end?: JournalPosition;
  /** The GTIDs its transactions got (its CREATE TABLE's and its chunks'), as a set. */
  gtids?: string;
  /**
   * Put back before every row was copied: the binlog holds its DDL (as configured) and `rows` of its
   * rows. A consumer that wants whole tables skips it; the next run writes it whole again.
   */
  partial?: true;
  /**
   * How sure `rows` is: `exact` (the run read the binlog for every chunk), `at-least` (chunks the
   * binlog could not decide; `verify` counts them), `journaled` (the run stopped without an account:
   * what its journal recorded; a chunk that committed as it stopped may be missing).
   */
  rowsAre?: 'exact' | 'at-least' | 'journaled';
  /**
   * Resumed: an earlier run (resumed by this one) wrote its CREATE TABLE and `rowsBefore` of its rows;
   * this run's range holds the rest (`rows`), without a second CREATE TABLE.
   */
  resumed?: { rowsBefore: number };
}

export interface Manifest {
  kind: typeof MANIFEST_KIND;
  format: 1;
  server: { host: string; port: number; serverId: number; serverUuid: string; version: string };
  /** `ended: recovered`: the run died or ended needing recovery, and recover finished it (see `binlog`). */
  run: { tag: string; startedAt: string; status?: string; ended?: string; ddl?: unknown };
  /**
   * The run's coordinates: every event of every table lies between them. The end is the run's own;
   * for a run that died or ended needing recovery, where `recover` found the binlog once every table
   * was back (`run.ended: recovered`).
   */
  binlog: { start?: JournalPosition; end?: JournalPosition };
  /** Every GTID the run's transactions got, as a set (the run's end record, else its tables'). */
  gtids?: string;
  tables: ManifestTable[];
}

export function manifestPath(journal: string): string {
  return `${journal}.manifest.json`;
}

export function buildManifest(j: JournalState): Manifest {
  const h = j.header!;
  const flavour = journalFlavour(h);
  const set = (gtids: string[] | undefined) => (gtids?.length ? gtidSetOf(flavour, gtids) : undefined);
  const gtids = j.runGtids || set([...j.byTable.values()].flatMap((t) => t.gtids));
  // A run that died (or ended needing recovery) and recover finished: recover's position, with every
  // table back and the applier still stopped, ends it (a session's last chunk may commit after the
  // run's own end; recover counted it).
  const died = j.recoveredAt !== undefined && (j.flushEnd === undefined || j.flushEnd === 'recovery-needed');
  return {
    kind: MANIFEST_KIND,
    format: 1,
    server: {
      host: h.host,
      port: h.port,
      serverId: h.serverId,
      serverUuid: h.serverUuid,
      version: h.serverVersion,
    },
    run: {
      tag: h.runTag,
      startedAt: h.startedAt,
      status: j.end,
      ...(died && { ended: 'recovered' }),
      ddl: h.options.ddl,
    },
    binlog: { start: j.binlog.start, end: died ? j.recoveredAt : j.binlog.end },
    ...(gtids && { gtids }),
    tables: j.tables.flatMap((t) => {
      const f: Account | undefined = tableState(j, t.id).flushed ?? partialOf(j, t.id);
      if (!f) return [];
      return [
        {
          schema: t.schema,
          table: t.table,
          rows: f.rows,
          chunks: f.chunks,
          start: f.binlog?.start,
          end: f.binlog?.end,
          gtids: set(tableState(j, t.id).gtids),
          ...(f.rowsAre && { partial: true as const, rowsAre: f.rowsAre }),
          ...(resumedOf(j, t.id) && { resumed: resumedOf(j, t.id)! }),
        },
      ];
    }),
  };
}

type Account = TableFlushed & { rowsAre?: ManifestTable['rowsAre'] };

/**
 * What of a table not flushed whole the binlog holds: its put-back's account, else (the run stopped
 * first) what its journal recorded once its DDL or a chunk may have been logged; undefined: nothing.
 */
function partialOf(j: JournalState, id: number): Account | undefined {
  const t = tableState(j, id);
  const p = t.partial;
  if (p) return { ...p, rowsAre: p.inDoubt ? 'at-least' : 'exact' };
  const c = t.chunk;
  if (!c && !t.seen.has('ddl')) return undefined;
  return { rows: c?.rows ?? 0, chunks: c?.chunk ?? 0, rowsAre: 'journaled' };
}

/** What an earlier run (resumed by this one) wrote of the table, if it was resumed. */
function resumedOf(j: JournalState, id: number): { rowsBefore: number } | undefined {
  const p = tableState(j, id).copyPlan;
  return Array.isArray(p?.done) ? { rowsBefore: p.rowsBefore ?? 0 } : undefined;
}

/** Written whole or not at all (a temporary file renamed over), readable by the workflow's user only. */
export function writeManifest(path: string, m: Manifest): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(m, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Build the manifest from the journal on disk and write it next to it; returns its path. A manifest
 * that cannot be written is a warning (undefined), never a failed run or a lost journal.
 */
export function saveManifest(journal: string, warn: (text: string) => void): string | undefined {
  try {
    const path = manifestPath(journal);
    writeManifest(path, buildManifest(readJournal(journal)));
    return path;
  } catch (e) {
    warn(`could not write the manifest next to the journal: ${errorText(e)}`);
    return undefined;
  }
}
