/**
 * The journal ("hashfile"): JSON lines, appended and fsynced before each change it announces.
 * The header and the whole plan are durable before the first change (the file appears with them or
 * not at all), so the journal alone is enough to recover after the process dies at any point. One
 * process at a time writes it, under an OS lock. It never holds a secret.
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { FlusherError, ExitCode, errorText } from '../model/errors.js';
import { FileLockBusyError, lockFile, type FileLock } from './file-lock.js';
import { LEGACY_BACKUP, isOurBackupName, isOurTwinName } from '../model/table-names.js';
import type { Flavour } from '../model/version.js';
import {
  anything,
  fields,
  listOf,
  nullOr,
  oneOf,
  optional,
  text,
  that,
  whole,
  type Shape,
} from './record-shape.js';

export const JOURNAL_KIND = 'binlog-flusher-journal';
/**
 * 2: the twin is built under its parking name before the table is set aside, and the real DDL goes
 * under the real name only once the twin exists (steps build-twin, ddl, twin-in, drop-shell). A
 * format 1 journal (step `twin`: the shell under the real name, altered into the twin) is still read.
 * 3: a table's chunk plan, each chunk sent and which chunks each chunk record acknowledges, and the
 * binlog position at which recover had every table back (what `--resume` continues a table from).
 */
export const JOURNAL_FORMAT = 3;

export interface JournalHeader {
  type: 'header';
  kind: typeof JOURNAL_KIND;
  format: number;
  tool: string;
  host: string;
  port: number;
  serverId: number;
  serverUuid: string;
  serverVersion: string;
  /** The server's flavour (absent in journals written before: read from serverVersion, see journalFlavour). */
  flavour?: Flavour;
  startedAt: string;
  runTag: string;
  /** Non-secret options of the run, for the record. */
  options: Record<string, unknown>;
}

/** One table of the plan: where it goes while it is set aside, and the twin's parking name. */
export interface JournalTable {
  id: number;
  schema: string;
  table: string;
  backup: string;
  twin: string;
  /** sha256 of the table's columns (name, type, nullability) when planned; absent in legacy journals. */
  columns?: string;
}

/** A binlog coordinate as the journal keeps it (GTID: the server's executed set / binlog position). */
export interface JournalPosition {
  file: string;
  position: number;
  gtid: string;
}

/** What a finished table put into the binlog, for the manifest and `verify`. */
export interface TableFlushed {
  rows: number;
  chunks?: number;
  /** Read before its first binlogged statement and after its last: its events lie between. */
  binlog?: { start: JournalPosition; end: JournalPosition };
}

/**
 * The steps of one table, in the order a run takes them:
 * - `build-twin`: the twin is created under its parking name (the table's DDL, not logged), then
 *   altered into a marked BLACKHOLE table; the table itself is untouched;
 * - `set-aside`: the table is renamed to its backup name;
 * - `ddl` (only with --ddl create): the table's real DDL under its real name, logged (the shell);
 * - `twin-in`: the shell goes to its parking name and the twin takes the real name, in one RENAME
 *   (with --ddl none: the twin takes the free real name);
 * - `drop-shell`: the empty shell is dropped, guarded;
 * - `copy`, `swap-back`, `drop-twin`.
 * `twin` is format 1's step: the shell under the real name, altered into the twin there.
 */
export const STEP_NAMES = [
  'build-twin',
  'set-aside',
  'ddl',
  'twin-in',
  'drop-shell',
  'twin',
  'copy',
  'swap-back',
  'drop-twin',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** A table's chunks, known ahead (plan/chunks.ts CopyPlan; integers as decimal text). */
export type JournalCopyPlan =
  | { kind: 'range'; lo: string; hi: string; step: string }
  /** A walk: the cuts known when it was planned (a resume); the rest in 'chunk-cut' records. */
  | { kind: 'walk'; step: number; cuts: string[][] }
  | { kind: 'cuts'; cuts: string[][] }
  | { kind: 'parts'; parts: (string | null)[] };

/** A planned chunk that committed, and its rows. */
export interface ChunkAck {
  seq: number;
  rows: number;
}

export type JournalRecord =
  | JournalHeader
  | { type: 'plan'; marker: string; tables: JournalTable[] }
  | { type: 'step'; id: number; step: StepName; at: string }
  /**
   * `gtids`: the GTIDs the table's transactions got since its last record (its DDL's included).
   * `acks`: the planned chunks this record acknowledges (one, or those a settle found committed).
   */
  | {
      type: 'chunk';
      id: number;
      chunk: number;
      rows: number;
      at: string;
      gtids?: string[];
      acks?: ChunkAck[];
    }
  /**
   * The table's chunks, before the first is sent: `binlog`, the position before its first logged
   * statement; `columns`, its columns' fingerprint; `done`, chunks an earlier run (being resumed)
   * committed, with `rowsBefore` their rows: they are not sent again.
   */
  | {
      type: 'chunk-plan';
      id: number;
      at: string;
      plan: JournalCopyPlan;
      columns: string;
      /** The key its chunks are cut on (a resume cuts on the same key, or not at all). */
      key?: { index: string; columns: string[] };
      binlog: JournalPosition;
      done?: number[];
      rowsBefore?: number;
    }
  /**
   * A walk's cut, before the chunk it closes (`seq`) is handed out; `cut: null`: the walk's end, which
   * opens the last chunk (`seq`, after the last cut).
   */
  | { type: 'chunk-cut'; id: number; seq: number; cut: string[] | null; at: string }
  /** A resume: the tables the run it resumes (and those before it) had finished; they stay finished. */
  | { type: 'done-before'; tables: { schema: string; table: string }[]; at: string }
  /** A planned chunk is about to be sent (until acknowledged, its outcome is the binlog's to tell). */
  | { type: 'chunk-sent'; id: number; seq: number; at: string }
  | ({ type: 'table-done'; id: number; at: string } & TableFlushed)
  /**
   * A table put back before every row was copied, with what of it the binlog holds (its DDL and
   * these rows), written before the put-back. `inDoubt`: chunks the binlog could not decide.
   */
  | ({ type: 'table-partial'; id: number; at: string; inDoubt?: number } & TableFlushed)
  /**
   * The run's binlog coordinates: before its first flushed event, and after its last. The end's
   * `gtids`: the set of GTIDs the run's transactions got, in the flavour's notation (the exact set,
   * not a difference of positions).
   */
  | { type: 'binlog'; edge: 'start' | 'end'; at: string; position: JournalPosition; gtids?: string }
  /** `binlog`: recover's end: the position once every table was back, before the applier ran again. */
  | { type: 'end'; status: RunStatus; at: string; binlog?: JournalPosition }
  | { type: 'recover'; id: number; outcome: string; at: string }
  /** A command of the live control channel, and what the run answered (and did). */
  | { type: 'control'; command: string; answer: string; at: string }
  /** A server setting the run changes, written before the change; `setting-restored` once it is back. */
  | { type: 'setting'; name: ServerSetting; from: Switch; to: Switch; at: string }
  | { type: 'setting-restored'; name: ServerSetting; value: string; at: string }
  /** A flush in windows (issue 27): one step of window `n` (see WINDOW_EVENTS). */
  | WindowRecord;

/**
 * The steps of a flush in windows, in the order a run writes them, each for window `n` (1, 2, ...):
 * - `caught-up` (n: the window before, 0 for the first): the lag is within the bound (`lag`), every
 *   table back, the applier running; the next window is about to open;
 * - `open`: written before the applier is stopped for window n (`binlog`: the position then, before
 *   the window's first chunk); the tables it sets aside have their own step records;
 * - `close`: every table of window n is back (no twin holds a name; `binlog`: the position after its
 *   last chunk), written before the applier is started;
 * - `applier-started`: the applier runs again after window n.
 * So each record has exactly one predecessor: caught-up n-1, open n, close n, applier-started n.
 */
export const WINDOW_EVENTS = ['caught-up', 'open', 'close', 'applier-started'] as const;
export type WindowEvent = (typeof WINDOW_EVENTS)[number];

export interface WindowRecord {
  type: 'window';
  event: WindowEvent;
  n: number;
  at: string;
  /** caught-up: the lag read, in seconds. */
  lag?: number;
  /** open and close: the binlog position then. */
  binlog?: JournalPosition;
}

/** One window of a run, as its journal tells it. */
export interface JournalWindow {
  n: number;
  /** The position when it opened (before its first chunk) and when it closed (after its last). */
  open?: JournalPosition;
  close?: JournalPosition;
}

/**
 * Server settings a run may change for its duration (and recovery puts back): read_only turned ON,
 * or (MySQL) super_read_only turned OFF with read_only left ON. Values are 'ON' or 'OFF'.
 */
export type ServerSetting = 'read_only' | 'super_read_only';
export const SERVER_SETTINGS: readonly ServerSetting[] = ['read_only', 'super_read_only'];
export type Switch = 'ON' | 'OFF';
const SWITCHES: readonly Switch[] = ['ON', 'OFF'];

const RUN_STATUSES = ['flushed', 'failed-restored', 'recovery-needed', 'recovered'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** How long a journal writer waits for another process to let go of the journal. */
export const JOURNAL_LOCK_WAIT_S = 10;

/**
 * The only way to write a journal. It holds an exclusive OS lock on the file for as long as it is open
 * (one writer per journal), and appends records with group commit: callers that arrive while an fsync
 * runs share the next one.
 */
export class JournalWriter {
  private fd: number | undefined;
  private pending: string[] = [];
  private flushing: Promise<void> | undefined;
  /** Called once per record when it is on disk (test fault injection). */
  afterWrite: (() => void) | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly lock: FileLock,
    /** Bytes of a torn last record cut off when the journal was opened. */
    readonly trimmed = 0,
  ) {
    this.fd = fd;
  }

  /**
   * Create a new journal holding `initial` (the header and the whole plan), atomically: the file
   * appears under its name complete and on disk, or not at all. Refuses to overwrite anything.
   * `input`: what the user called the journal, for messages.
   */
  static async create(path: string, initial: JournalRecord[], input = '--hashfile'): Promise<JournalWriter> {
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, initial.map((r) => JSON.stringify(r) + '\n').join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      linkSync(tmp, path); // fails if the journal exists: never overwritten
      syncDir(dirname(path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new FlusherError(
          `${input}: ${path} already exists; it may be the journal of an unfinished run. ` +
            'Recover with it, or choose another path',
          ExitCode.badInput,
        );
      }
      throw new FlusherError(
        `${input}: cannot create ${path}: ${code ?? (e as Error).message}`,
        ExitCode.badInput,
      );
    } finally {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // could not be created in the first place (the error above says why)
      }
    }
    return JournalWriter.append(path, 0, input);
  }

  /**
   * Open an existing journal for appending (recovery writes its outcomes there), under the lock. A
   * torn last record (what a crash mid-append leaves) is cut off first: it never reached the disk
   * whole, so nothing it announced was done.
   */
  static async append(
    path: string,
    lockWaitS = JOURNAL_LOCK_WAIT_S,
    input = '--hashfile',
  ): Promise<JournalWriter> {
    let lock: FileLock;
    try {
      lock = await lockFile(path, lockWaitS);
    } catch (e) {
      if (e instanceof FileLockBusyError) {
        throw new FlusherError(
          `${input}: ${path} is being written by another binlog-flusher process (a flush, a recover or the action's post step); ` +
            'only one may write a journal at a time. Let it finish, then run recover again',
          ExitCode.preflightRefused,
        );
      }
      throw new FlusherError(`${input}: cannot lock ${path}: ${errorText(e)}`, ExitCode.badInput);
    }
    try {
      const fd = openSync(path, 'r+');
      const trimmed = trimTornTail(fd);
      closeSync(fd);
      return new JournalWriter(path, openSync(path, 'a'), lock, trimmed);
    } catch (e) {
      await lock.release();
      throw new FlusherError(
        `${input}: cannot open ${path} for writing: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`,
        ExitCode.badInput,
      );
    }
  }

  /** Append a record and return once it is on disk. */
  async write(rec: JournalRecord): Promise<void> {
    this.pending.push(JSON.stringify(rec) + '\n');
    // Wait for a flush in progress (it did not include our record), then flush what is pending.
    while (this.pending.length > 0) {
      if (this.flushing) {
        await this.flushing;
        continue;
      }
      this.flushing = Promise.resolve().then(() => this.flushNow());
      try {
        await this.flushing;
      } finally {
        this.flushing = undefined;
      }
    }
  }

  private flushNow(): void {
    if (this.fd === undefined) throw new Error('journal is closed');
    const records = this.pending.length;
    const text = this.pending.join('');
    this.pending = [];
    if (text === '') return;
    writeSync(this.fd, text);
    fsyncSync(this.fd);
    for (let i = 0; i < records && this.afterWrite; i++) this.afterWrite();
  }

  /** Flush what is pending, close the file and let go of the lock. */
  async close(): Promise<void> {
    if (this.fd === undefined) return;
    try {
      if (this.pending.length) this.flushNow();
      closeSync(this.fd);
    } finally {
      this.fd = undefined;
      await this.lock.release();
    }
  }
}

/**
 * Make the file end on a whole record before anything is appended: a last line that is not a complete
 * JSON record (torn by a crash mid-write) is cut off; a complete one that only lacks its newline (a
 * hand-written journal) gets it. Returns how many bytes were cut.
 */
function trimTornTail(fd: number): number {
  const size = fstatSync(fd).size;
  if (size === 0) return 0;
  const tailStart = lastLineStart(fd, size);
  if (tailStart === size) return 0; // ends with a newline
  const tail = Buffer.alloc(size - tailStart);
  readSync(fd, tail, 0, tail.length, tailStart);
  if (isWholeRecord(tail.toString('utf8'))) {
    writeSync(fd, '\n', size);
    fsyncSync(fd);
    return 0;
  }
  ftruncateSync(fd, tailStart);
  fsyncSync(fd);
  return size - tailStart;
}

/** Offset just after the last newline of the file (0 when it has none). */
function lastLineStart(fd: number, size: number): number {
  const buf = Buffer.alloc(Math.min(size, 1 << 20));
  for (let end = size; end > 0;) {
    const from = Math.max(0, end - buf.length);
    const n = readSync(fd, buf, 0, end - from, from);
    const nl = buf.subarray(0, n).lastIndexOf(0x0a);
    if (nl >= 0) return from + nl + 1;
    end = from;
  }
  return 0;
}

function isWholeRecord(line: string): boolean {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
  } catch {
    return false;
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a directory; the file itself is on disk.
  }
}

/** A table's chunk plan record. */
export type ChunkPlanRecord = Extract<JournalRecord, { type: 'chunk-plan' }>;

/** What the journal says of one table: the records after the plan that name its id. */
export interface TableJournalState {
  /** The last step begun. */
  step?: StepName;
  /** Every step begun (what the run may have created: see restore.createdByUs). */
  seen: Set<StepName>;
  /** What it wrote once finished (its table-done record); set: done (twin dropped, table back). */
  flushed?: TableFlushed;
  /** What it wrote when it was put back part-copied (its table-partial record). */
  partial?: TableFlushed & { inDoubt?: number };
  /** Its last chunk record: the chunks done and the rows so far. */
  chunk?: { chunk: number; rows: number };
  /** The GTIDs its chunk records name. */
  gtids: string[];
  /** Its chunk plan (the last one written). */
  copyPlan?: ChunkPlanRecord;
  /** The planned chunks acknowledged after its plan, and their rows. */
  acked: Map<number, number>;
  /** The planned chunks sent after its plan. */
  sent: Set<number>;
  /** With a walk plan: the cuts its walk found after its plan, and whether it ended. */
  walk?: { cuts: string[][]; ended: boolean };
}

/** What a journal says, read back: the run's own fields, and one state per table. */
export interface JournalState {
  legacy: boolean;
  header?: JournalHeader;
  marker?: string;
  tables: JournalTable[];
  /** Per table id, what the journal says of it (absent: no record after the plan names it). */
  byTable: Map<number, TableJournalState>;
  binlog: { start?: JournalPosition; end?: JournalPosition };
  /** Where recover found the binlog once every table was back (the end record's position). */
  recoveredAt?: JournalPosition;
  /** The set of GTIDs the run's transactions got, when its end was journaled. */
  runGtids?: string;
  end?: RunStatus;
  /** How the flush itself ended (its end record), whatever recover wrote after. */
  flushEnd?: RunStatus;
  /** Tables an earlier run (resumed by this one) had finished: not flushed again by a resume of this. */
  doneBefore: Set<string>;
  /** Settings the run changed and has not put back yet. */
  settings: Map<ServerSetting, { from: Switch; to: Switch }>;
  /** A flush in windows: its last window record (where a kill left it), and every window opened. */
  window?: { event: WindowEvent; n: number };
  windows: JournalWindow[];
  // Views of `byTable` (one field, by table id, for every table that has it), as the journal's readers
  // before it knew them: each is built anew when read; in a loop over tables, read `tableState`.
  /** The last step begun. */
  readonly steps: ReadonlyMap<number, StepName>;
  /** Every step begun, for each table with a step record. */
  readonly seen: ReadonlyMap<number, ReadonlySet<StepName>>;
  /** Tables whose flush finished (twin dropped, table back). */
  readonly done: ReadonlySet<number>;
  readonly flushed: ReadonlyMap<number, TableFlushed>;
  readonly partial: ReadonlyMap<number, TableFlushed & { inDoubt?: number }>;
  readonly chunks: ReadonlyMap<number, { chunk: number; rows: number }>;
}

/** An empty state, for a JSON journal and the original tool's alike (the only place one is built). */
function emptyState(legacy: boolean): JournalState {
  const byTable = new Map<number, TableJournalState>();
  const view = <V>(pick: (t: TableJournalState) => V | undefined): Map<number, V> => {
    const out = new Map<number, V>();
    for (const [id, t] of byTable) {
      const v = pick(t);
      if (v !== undefined) out.set(id, v);
    }
    return out;
  };
  return {
    legacy,
    tables: [],
    byTable,
    binlog: {},
    doneBefore: new Set(),
    settings: new Map(),
    windows: [],
    get steps() {
      return view((t) => t.step);
    },
    get seen() {
      return view((t) => (t.seen.size ? t.seen : undefined));
    },
    get done() {
      return new Set(view((t) => t.flushed).keys());
    },
    get flushed() {
      return view((t) => t.flushed);
    },
    get partial() {
      return view((t) => t.partial);
    },
    get chunks() {
      return view((t) => t.chunk);
    },
  };
}

function emptyTable(): TableJournalState {
  return { seen: new Set(), gtids: [], acked: new Map(), sent: new Set() };
}

/** What the journal says of table `id` (an empty state when no record names it: not kept). */
export function tableState(j: JournalState, id: number): TableJournalState {
  return j.byTable.get(id) ?? emptyTable();
}

/** Table `id`'s state, to record into: made on its first record. */
function tableEntry(state: JournalState, id: number): TableJournalState {
  let t = state.byTable.get(id);
  if (!t) state.byTable.set(id, (t = emptyTable()));
  return t;
}

export class JournalFormatError extends FlusherError {
  /** `input`: what the user called the journal (`--hashfile`, `--resume`, or an action input). */
  constructor(
    readonly path: string,
    readonly detail: string,
    input = '--hashfile',
  ) {
    super(`${input}: ${path}: ${detail}`, ExitCode.badInput);
  }
}

/**
 * Parse a journal. Accepts this tool's JSON lines and the original tool's `_BKTB_1,table` lines
 * (whose schema must be given, as the original's --db did).
 */
export function parseJournal(
  text: string,
  path: string,
  legacySchema?: string,
  inputs: JournalInputs = {},
): JournalState {
  try {
    return parseJournalText(text, path, legacySchema, inputs.schema ?? '--db');
  } catch (e) {
    if (e instanceof JournalFormatError && inputs.journal)
      throw new JournalFormatError(e.path, e.detail, inputs.journal);
    throw e;
  }
}

/** What the user calls the journal (default `--hashfile`) and the schema of a legacy one (`--db`). */
export interface JournalInputs {
  journal?: string;
  schema?: string;
}

function parseJournalText(
  text: string,
  path: string,
  legacySchema: string | undefined,
  schemaInput: string,
): JournalState {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new JournalFormatError(path, 'is empty; it is not a binlog-flusher journal');
  const first = lines[0]!.trim();
  if (!first.startsWith('{')) return parseLegacy(lines, path, legacySchema, schemaInput);

  const state = emptyState(false);
  lines.forEach((line, i) => {
    let rec: JournalRecord;
    try {
      rec = JSON.parse(line) as JournalRecord;
    } catch {
      // A torn last line is what a crash mid-append leaves; anything else is corruption.
      if (i === lines.length - 1 && state.tables.length > 0) return;
      throw new JournalFormatError(path, `line ${i + 1} is not valid JSON; the file is truncated or damaged`);
    }
    if (typeof rec !== 'object' || rec === null || typeof rec.type !== 'string') {
      throw new JournalFormatError(path, `line ${i + 1} is not a journal record`);
    }
    if (i === 0) state.header = checkHeader(rec, path);
    else applyRecord(state, rec, { path, line: i + 1 });
  });
  if (!state.header) throw new JournalFormatError(path, 'has no header');
  return state;
}

/** Where a record is, for messages. */
interface Where {
  path: string;
  line: number;
}

/** A record binlog-flusher never writes, refused by its kind and line; `why`: the field, or the rule. */
function refused(where: Where, type: string, why: string): JournalFormatError {
  const what = type === 'chunk-plan' ? 'chunk plan' : `${type} record`;
  return new JournalFormatError(
    where.path,
    `line ${where.line}: a ${what} binlog-flusher never writes (${why})`,
  );
}

const HEADER_SHAPE = fields({
  tool: text,
  host: text,
  port: whole,
  serverId: whole,
  serverUuid: text,
  serverVersion: text,
  // A flavour this version does not know reads as the version text's (journalFlavour).
  flavour: optional(text),
  startedAt: text,
  runTag: text,
  options: fields({}),
});

function checkHeader(rec: JournalRecord, path: string): JournalHeader {
  if (rec.type !== 'header' || rec.kind !== JOURNAL_KIND) {
    throw new JournalFormatError(path, 'does not start with a binlog-flusher journal header');
  }
  if (typeof rec.format !== 'number' || rec.format > JOURNAL_FORMAT) {
    throw new JournalFormatError(
      path,
      `was written in journal format ${String(rec.format)}, newer than this version reads (${JOURNAL_FORMAT}); ` +
        'recover with the binlog-flusher version that wrote it',
    );
  }
  const wrong = HEADER_SHAPE(rec);
  if (wrong !== undefined) throw refused({ path, line: 1 }, 'header', `field ${wrong}`);
  return rec;
}

/** The records that follow the header, by type. */
type AfterHeader = Exclude<JournalRecord, JournalHeader>;
type RecordType = AfterHeader['type'];

/** How one kind of record is read: its fields' shape, checked first, then what it says, into the state. */
interface RecordKind<T extends RecordType> {
  shape: Shape;
  apply: (state: JournalState, rec: Extract<AfterHeader, { type: T }>, where: Where) => void;
}

const position = fields({ file: text, position: whole, gtid: text });
const tableFlushed = {
  rows: whole,
  chunks: optional(whole),
  binlog: optional(fields({ start: position, end: position })),
};

/** Every kind of record after the header: a type not here is refused, and so is a wrong field. */
const RECORD_KINDS: { readonly [T in RecordType]: RecordKind<T> } = {
  plan: { shape: fields({ marker: text, tables: listOf(anything) }), apply: applyPlan },
  step: {
    shape: fields({ id: whole, step: oneOf(STEP_NAMES), at: text }),
    apply: (state, rec) => {
      const t = tableEntry(state, rec.id);
      t.step = rec.step;
      t.seen.add(rec.step);
    },
  },
  chunk: {
    shape: fields({
      id: whole,
      chunk: whole,
      rows: whole,
      at: text,
      gtids: optional(listOf(text)),
      acks: optional(listOf(fields({ seq: whole, rows: whole }))),
    }),
    apply: applyChunk,
  },
  'chunk-plan': {
    shape: fields({
      id: whole,
      at: text,
      plan: that(validCopyPlan),
      columns: text,
      key: optional(fields({ index: text, columns: listOf(text) })),
      binlog: position,
      done: optional(listOf(whole)),
      rowsBefore: optional(whole),
    }),
    apply: applyChunkPlan,
  },
  'chunk-cut': {
    shape: fields({ id: whole, seq: whole, cut: nullOr(listOf(text)), at: text }),
    apply: applyChunkCut,
  },
  'done-before': {
    shape: fields({ tables: listOf(fields({ schema: text, table: text })), at: text }),
    apply: (state, rec) => {
      for (const t of rec.tables) state.doneBefore.add(`${t.schema}\u0000${t.table}`);
    },
  },
  'chunk-sent': {
    shape: fields({ id: whole, seq: whole, at: text }),
    apply: (state, rec) => void tableEntry(state, rec.id).sent.add(rec.seq),
  },
  'table-done': {
    shape: fields({ id: whole, at: text, ...tableFlushed }),
    apply: (state, rec) => {
      tableEntry(state, rec.id).flushed = { rows: rec.rows, chunks: rec.chunks, binlog: rec.binlog };
    },
  },
  'table-partial': {
    shape: fields({ id: whole, at: text, ...tableFlushed, inDoubt: optional(whole) }),
    apply: (state, rec) => {
      tableEntry(state, rec.id).partial = {
        rows: rec.rows,
        chunks: rec.chunks,
        binlog: rec.binlog,
        ...(rec.inDoubt ? { inDoubt: rec.inDoubt } : {}),
      };
    },
  },
  binlog: {
    shape: fields({ edge: oneOf(['start', 'end']), at: text, position, gtids: optional(text) }),
    apply: (state, rec) => {
      state.binlog[rec.edge] = rec.position;
      if (rec.edge === 'end' && rec.gtids !== undefined) state.runGtids = rec.gtids;
    },
  },
  end: {
    shape: fields({ status: oneOf(RUN_STATUSES), at: text, binlog: optional(position) }),
    apply: applyEnd,
  },
  recover: { shape: fields({ id: whole, outcome: text, at: text }), apply: () => undefined },
  control: { shape: fields({ command: text, answer: text, at: text }), apply: () => undefined },
  setting: {
    shape: fields({ name: oneOf(SERVER_SETTINGS), from: oneOf(SWITCHES), to: oneOf(SWITCHES), at: text }),
    apply: (state, rec) => void state.settings.set(rec.name, { from: rec.from, to: rec.to }),
  },
  'setting-restored': {
    shape: fields({ name: oneOf(SERVER_SETTINGS), value: text, at: text }),
    apply: (state, rec) => void state.settings.delete(rec.name),
  },
  window: {
    shape: fields({
      event: oneOf(WINDOW_EVENTS),
      n: whole,
      at: text,
      lag: optional(that((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)),
      binlog: optional(position),
    }),
    apply: applyWindow,
  },
};

/** The one record each window record follows (undefined: the run's first, `caught-up` 0). */
function windowPredecessor(event: WindowEvent, n: number): { event: WindowEvent; n: number } | undefined {
  switch (event) {
    case 'caught-up':
      return n === 0 ? undefined : { event: 'applier-started', n };
    case 'open':
      return { event: 'caught-up', n: n - 1 };
    case 'close':
      return { event: 'open', n };
    case 'applier-started':
      return { event: 'close', n };
  }
}

/** A window record: only right after its one predecessor (a run writes them in that order alone). */
function applyWindow(state: JournalState, rec: WindowRecord, where: Where): void {
  const want = windowPredecessor(rec.event, rec.n);
  const last = state.window;
  const fits = want ? last?.event === want.event && last.n === want.n : last === undefined;
  if (!fits || (rec.event === 'open' && rec.n < 1))
    throw refused(
      where,
      rec.type,
      `${rec.event} of window ${rec.n} after ${last ? `${last.event} of window ${last.n}` : 'no window record'}`,
    );
  state.window = { event: rec.event, n: rec.n };
  if (rec.event === 'open') state.windows.push({ n: rec.n, ...(rec.binlog && { open: rec.binlog }) });
  if (rec.event === 'close' && rec.binlog) state.windows[state.windows.length - 1]!.close = rec.binlog;
}

/** One record after the header: its kind's shape checked, then into the state. */
function applyRecord(state: JournalState, rec: { type: string }, where: Where): void {
  const kind = Object.hasOwn(RECORD_KINDS, rec.type) ? RECORD_KINDS[rec.type as RecordType] : undefined;
  if (!kind) {
    throw new JournalFormatError(
      where.path,
      `line ${where.line}: unknown record type ${JSON.stringify(rec.type)}`,
    );
  }
  const wrong = kind.shape(rec);
  if (wrong !== undefined) throw refused(where, rec.type, `field ${wrong}`);
  (kind.apply as (s: JournalState, r: AfterHeader, w: Where) => void)(state, rec as AfterHeader, where);
}

/** The plan record: every table checked, and inside the schemas the run selected. */
function applyPlan(state: JournalState, rec: Extract<JournalRecord, { type: 'plan' }>, where: Where): void {
  const dbs = state.header?.options?.databases;
  const allowed = Array.isArray(dbs) && dbs.length ? (dbs as string[]) : undefined;
  for (const t of rec.tables) {
    validateTable(t, where);
    if (allowed && !allowed.includes(t.schema)) {
      throw new JournalFormatError(
        where.path,
        `line ${where.line}: ${t.schema}.${t.table} is outside the schemas the run selected (${allowed.join(', ')})`,
      );
    }
  }
  state.tables = rec.tables;
  state.marker = rec.marker;
}

/** How the run ended (the flush's own end comes first; recover's, if any, after it). */
function applyEnd(state: JournalState, rec: Extract<JournalRecord, { type: 'end' }>): void {
  state.end = rec.status;
  if (rec.status !== 'recovered') state.flushEnd ??= rec.status;
  // The first: a later recover (which found nothing to do) may come after the applier ran again.
  if (rec.binlog) state.recoveredAt ??= rec.binlog;
}

/** A chunk record: the table's chunks and rows so far, its GTIDs, the planned chunks it acknowledges. */
function applyChunk(state: JournalState, rec: Extract<JournalRecord, { type: 'chunk' }>): void {
  const t = tableEntry(state, rec.id);
  t.chunk = { chunk: rec.chunk, rows: rec.rows };
  if (rec.gtids) t.gtids.push(...rec.gtids);
  for (const a of rec.acks ?? []) t.acked.set(a.seq, a.rows);
}

/** A table's chunk plan: what was sent and acknowledged before it no longer counts. */
function applyChunkPlan(state: JournalState, rec: ChunkPlanRecord): void {
  const t = tableEntry(state, rec.id);
  t.copyPlan = rec;
  t.acked = new Map();
  t.sent = new Set();
  t.walk = rec.plan.kind === 'walk' ? { cuts: [], ended: false } : undefined;
}

/** A walk's cut: only after a walk plan, in order, and not after the walk's end. */
function applyChunkCut(
  state: JournalState,
  rec: Extract<JournalRecord, { type: 'chunk-cut' }>,
  where: Where,
): void {
  const t = state.byTable.get(rec.id);
  const w = t?.walk;
  if (!w) throw refused(where, rec.type, 'no walk plan before it');
  if (w.ended) throw refused(where, rec.type, 'after the walk ended');
  const plan = t.copyPlan?.plan;
  const known = (plan?.kind === 'walk' ? plan.cuts.length : 0) + w.cuts.length;
  if (rec.seq !== known) throw refused(where, rec.type, `seq ${rec.seq}, not the next cut ${known}`);
  if (rec.cut === null) w.ended = true;
  else w.cuts.push(rec.cut);
}

/** A chunk plan's shape (its key values are checked again before they become SQL: sql/key-values). */
function validCopyPlan(value: unknown): boolean {
  const p = value as JournalCopyPlan | undefined;
  if (!p || typeof p !== 'object') return false;
  const int = (x: unknown) => typeof x === 'string' && /^-?\d+$/.test(x);
  switch (p.kind) {
    case 'range':
      return int(p.lo) && int(p.hi) && int(p.step);
    case 'cuts':
    case 'walk':
      return (
        (p.kind === 'cuts' || (Number.isInteger(p.step) && p.step > 0)) &&
        Array.isArray(p.cuts) &&
        p.cuts.every((c) => Array.isArray(c) && c.every((v) => typeof v === 'string'))
      );
    case 'parts':
      return Array.isArray(p.parts) && p.parts.every((x) => x === null || typeof x === 'string');
    default:
      return false;
  }
}

function validateTable(t: JournalTable, where: Where): void {
  const ok =
    typeof t === 'object' &&
    t !== null &&
    Number.isInteger(t.id) &&
    [t.schema, t.table, t.backup, t.twin].every(
      (v) => typeof v === 'string' && v.length > 0 && v.length <= 64,
    ) &&
    (t.columns === undefined || typeof t.columns === 'string');
  if (!ok) throw new JournalFormatError(where.path, `line ${where.line}: a plan entry is incomplete`);
  if (!isOurBackupName(t.backup) || !isOurTwinName(t.twin)) {
    throw new JournalFormatError(
      where.path,
      `line ${where.line}: ${t.schema}.${t.table} has backup name ${JSON.stringify(t.backup)}, which binlog-flusher never creates`,
    );
  }
}

function parseLegacy(
  lines: string[],
  path: string,
  schema: string | undefined,
  schemaInput: string,
): JournalState {
  const state = emptyState(true);
  lines.forEach((line, i) => {
    const m = /^\s*([^,]+?)\s*,\s*(.+?)\s*$/.exec(line);
    if (!m || !LEGACY_BACKUP.test(m[1]!)) {
      throw new JournalFormatError(
        path,
        `line ${i + 1} is neither JSON nor an original-tool line like "_BKTB_1,tablename"`,
      );
    }
    if (!schema) {
      throw new JournalFormatError(
        path,
        `is an original-tool hashfile; name its schema with ${schemaInput} (exactly one)`,
      );
    }
    state.tables.push({ id: i + 1, schema, table: m[2]!, backup: m[1]!, twin: '' });
  });
  return state;
}

export function readJournal(path: string, legacySchema?: string, inputs: JournalInputs = {}): JournalState {
  const input = inputs.journal ?? '--hashfile';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new JournalFormatError(path, 'does not exist', input);
    if (code === 'EISDIR') throw new JournalFormatError(path, 'is a directory, not a journal', input);
    throw new JournalFormatError(path, `cannot be read: ${code ?? (e as Error).message}`, input);
  }
  return parseJournal(text, path, legacySchema, inputs);
}
