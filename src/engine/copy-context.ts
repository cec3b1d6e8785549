/**
 * What every worker of a flush shares, and the worker's session. Kept apart so the steps, the copy
 * and the pool can each be read on their own.
 */
import type { Db } from '../db/connection.js';
import type { Dialect } from '../flavours/index.js';
import type { BinlogPosition } from '../inspect/binlog.js';
import type { OurEvents } from '../inspect/our-events.js';
import type { JournalWriter, StepName } from '../journal/journal.js';
import type { Logger } from '../model/log.js';
import type { PlannedTable } from '../plan/plan.js';
import type { DdlMode } from '../model/settings.js';
import type { Writer } from './writer.js';
import type { RunGtids } from './gtids.js';
import type { Controls } from './controls.js';
import type { FamilyLocks } from './family-locks.js';
import type { FaultHook } from './fault.js';
import type { Scheduler } from './scheduler.js';
import type { StatusBoard } from './status.js';

export interface CopyContext {
  log: Logger;
  dialect: Dialect;
  journal: JournalWriter;
  marker: string;
  ddl: DdlMode;
  fault?: FaultHook;
  /** The binlog position before the run's first change. */
  runStart: { file: string; position: number };
  /** Which binlog events are the run's own (a settle counts those under the table's name). */
  ours: OurEvents;
  /**
   * Each table's binlog position before its first logged statement: its manifest range starts there,
   * and a settle counts the table's statements from there.
   */
  tableStarts: Map<number, BinlogPosition>;
  scheduler: Scheduler;
  tables: Map<number, PlannedTable>;
  controls: Controls;
  status: StatusBoard;
  /** Whether the run is being cancelled; `cancel` sets it. */
  cancelled: () => boolean;
  cancel: () => void;
  /** Sessions of this run that were lost while a chunk of the table ran (thread ids, per table). */
  lostSessions: Map<number, number[]>;
  /** Every step journaled per table (what the run may have created; the put-back's proof). */
  stepsSeen: Map<number, Set<StepName>>;
  /** One rename at a time per foreign-key family. */
  families: FamilyLocks;
  /** The GTIDs the run's transactions got (each worker's Writer reports them). */
  gtids?: RunGtids;
}

/** A worker's session; replaced after a lost connection. */
export interface WorkerSession {
  writes: Writer;
  readonly db: Db;
  /** A new session in place of this one; returns the id of the session it replaces. */
  reconnect(): Promise<number>;
}
