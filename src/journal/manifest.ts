/**
 * The manifest: for every table a run flushed, where its events are in the binlog (file:position and
 * GTID before its first event and after its last), its rows and chunks. Built from the journal alone,
 * so it can be rebuilt from any journal; written next to it as `<journal>.manifest.json`.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { errorText } from '../errors.js';
import { readJournal, type JournalPosition, type JournalState } from './journal.js';
import { gtidSetOf } from '../plan/gtid.js';

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
}

export interface Manifest {
  kind: typeof MANIFEST_KIND;
  format: 1;
  server: { host: string; port: number; serverId: number; serverUuid: string; version: string };
  run: { tag: string; startedAt: string; status?: string; ddl?: unknown };
  /** The run's coordinates: every event of every table lies between them. */
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
  const flavour = /mariadb/i.test(h.serverVersion) ? 'mariadb' : 'mysql';
  const set = (gtids: string[] | undefined) => (gtids?.length ? gtidSetOf(flavour, gtids) : undefined);
  const gtids = j.runGtids || set([...j.gtids.values()].flat());
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
    run: { tag: h.runTag, startedAt: h.startedAt, status: j.end, ddl: h.options.ddl },
    binlog: j.binlog,
    ...(gtids && { gtids }),
    tables: j.tables
      .filter((t) => j.flushed.has(t.id))
      .map((t) => {
        const f = j.flushed.get(t.id)!;
        return {
          schema: t.schema,
          table: t.table,
          rows: f.rows,
          chunks: f.chunks,
          start: f.binlog?.start,
          end: f.binlog?.end,
          gtids: set(j.gtids.get(t.id)),
        };
      }),
  };
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
