/**
 * What a run writes into its journal's header about its settings: every non-secret option, so that
 * `--resume` can take them back (src/config/resume.ts) and a reader of the journal sees how it ran.
 */
import type { FlushSettings, GtidPlacement, TableFilter } from '../model/settings.js';

/**
 * The header options a journal records (never a secret, never a path). An input that is not set is
 * recorded as null, so that a key missing altogether tells a journal of an older version, whose value
 * of it is unknown.
 */
export interface RecordedOptions {
  databases: string[];
  tables: TableFilter[];
  skip: string[];
  /** `--skip schema.table`; absent in journals of versions before it. */
  skipTables?: Required<TableFilter>[];
  concurrency: number;
  chunkSize: number;
  ddl: FlushSettings['ddl'];
  stopReplica: boolean;
  startReplica: boolean;
  gtid: GtidPlacement | null;
  setReadOnly: boolean;
  allowPrimary: boolean;
  allowDownstream: boolean;
  allowWriters: boolean;
  stopOnError: boolean;
  maxTablesAside: number | null;
  rotateBinlog: boolean;
  /** `STATUS=LIMIT`; null without a brake. */
  maxLoad: string | null;
  maxRowsPerSecond: number | null;
  retentionMarginHours: number | null;
  /** A flush in windows (`--max-lag`); null: one stop; absent in journals of versions before it. */
  windows?: RecordedWindows | null;
}

/** The windows' inputs as a journal records them (`catchUpTo` follows from them). */
export interface RecordedWindows {
  maxLag: number;
  window: number;
  lagQuery?: string;
}

export function recordedOptions(s: FlushSettings): RecordedOptions {
  const c = s.controls;
  return {
    databases: s.selection.databases,
    tables: s.selection.tables,
    skip: s.selection.skip,
    skipTables: s.selection.skipTables ?? [],
    concurrency: s.concurrency,
    chunkSize: s.chunkSize,
    ddl: s.ddl,
    stopReplica: s.replication.stopReplica,
    startReplica: s.replication.startReplica,
    gtid: s.gtid ?? null,
    setReadOnly: s.setReadOnly,
    allowPrimary: s.allowPrimary,
    allowDownstream: s.allowDownstream,
    allowWriters: s.allowWriters,
    stopOnError: s.stopOnError,
    maxTablesAside: s.maxTablesAside ?? null,
    rotateBinlog: s.rotateBinlog,
    maxLoad: c?.brakeLimit !== undefined ? `${c.brakeStatus}=${c.brakeLimit}` : null,
    maxRowsPerSecond: c?.maxRowsPerSecond ?? null,
    retentionMarginHours: s.retentionMarginHours ?? null,
    windows: s.windows
      ? {
          maxLag: s.windows.maxLag,
          window: s.windows.window,
          ...(s.windows.lagQuery !== undefined && { lagQuery: s.windows.lagQuery }),
        }
      : null,
  };
}
