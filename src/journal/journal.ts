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
export type StepName =
  'build-twin' | 'set-aside' | 'ddl' | 'twin-in' | 'drop-shell' | 'twin' | 'copy' | 'swap-back' | 'drop-twin';

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
  | { type: 'setting-restored'; name: ServerSetting; value: string; at: string };

/**
 * Server settings a run may change for its duration (and recovery puts back): read_only turned ON,
 * or (MySQL) super_read_only turned OFF with read_only left ON. Values are 'ON' or 'OFF'.
 */
export type ServerSetting = 'read_only' | 'super_read_only';
export const SERVER_SETTINGS: readonly ServerSetting[] = ['read_only', 'super_read_only'];
export type Switch = 'ON' | 'OFF';
const SWITCH_VALUES: readonly string[] = ['ON', 'OFF'];

export type RunStatus = 'flushed' | 'failed-restored' | 'recovery-needed' | 'recovered';

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

/** What a journal says, read back. */
export interface JournalState {
  legacy: boolean;
  header?: JournalHeader;
  marker?: string;
  tables: JournalTable[];
  /** Last step begun per table id. */
  steps: Map<number, StepName>;
  /** Every step begun per table id (what the run may have created: see restore.createdByUs). */
  seen: Map<number, Set<StepName>>;
  /** Tables whose flush finished (twin dropped, table back). */
  done: Set<number>;
  /** What each finished table wrote (its table-done record). */
  flushed: Map<number, TableFlushed>;
  /** What each table put back part-copied wrote (its table-partial record). */
  partial: Map<number, TableFlushed & { inDoubt?: number }>;
  binlog: { start?: JournalPosition; end?: JournalPosition };
  chunks: Map<number, { chunk: number; rows: number }>;
  /** Per table id, the GTIDs its chunk records name. */
  gtids: Map<number, string[]>;
  /** Per table id, its chunk plan (the last one written). */
  copyPlans: Map<number, Extract<JournalRecord, { type: 'chunk-plan' }>>;
  /** Per table id, the planned chunks acknowledged after its plan, and their rows. */
  acked: Map<number, Map<number, number>>;
  /** Per table id, the planned chunks sent after its plan. */
  sent: Map<number, Set<number>>;
  /** Per table id with a walk plan: the cuts its walk found after its plan, and whether it ended. */
  walks: Map<number, { cuts: string[][]; ended: boolean }>;
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

  const state: JournalState = {
    legacy: false,
    tables: [],
    steps: new Map(),
    seen: new Map(),
    done: new Set(),
    flushed: new Map(),
    partial: new Map(),
    binlog: {},
    chunks: new Map(),
    gtids: new Map(),
    copyPlans: new Map(),
    acked: new Map(),
    sent: new Map(),
    walks: new Map(),
    doneBefore: new Set(),
    settings: new Map(),
  };
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
    else applyRecord(state, rec, path, i + 1);
  });
  if (!state.header) throw new JournalFormatError(path, 'has no header');
  return state;
}

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
  return rec;
}

/** One record after the header, into the state (`line`: its line number, for messages). */
function applyRecord(state: JournalState, rec: JournalRecord, path: string, line: number): void {
  switch (rec.type) {
    case 'plan':
      return applyPlan(state, rec, path, line);
    case 'step': {
      state.steps.set(rec.id, rec.step);
      const seen = state.seen.get(rec.id) ?? new Set<StepName>();
      seen.add(rec.step);
      state.seen.set(rec.id, seen);
      return;
    }
    case 'chunk':
    case 'chunk-plan':
    case 'chunk-cut':
    case 'chunk-sent':
      return applyChunkRecord(state, rec, path, line);
    case 'done-before':
      if (
        !Array.isArray(rec.tables) ||
        !rec.tables.every((t) => typeof t?.schema === 'string' && typeof t?.table === 'string')
      )
        throw new JournalFormatError(path, `line ${line}: a done-before record binlog-flusher never writes`);
      for (const t of rec.tables) state.doneBefore.add(`${t.schema}\u0000${t.table}`);
      return;
    case 'table-done':
      state.done.add(rec.id);
      state.flushed.set(rec.id, { rows: rec.rows, chunks: rec.chunks, binlog: rec.binlog });
      return;
    case 'table-partial':
      state.partial.set(rec.id, {
        rows: rec.rows,
        chunks: rec.chunks,
        binlog: rec.binlog,
        ...(rec.inDoubt ? { inDoubt: rec.inDoubt } : {}),
      });
      return;
    case 'binlog':
    case 'end':
      return applyEdge(state, rec, path, line);
    case 'recover':
    case 'control':
      return;
    case 'setting':
      if (
        !SERVER_SETTINGS.includes(rec.name) ||
        !SWITCH_VALUES.includes(rec.from) ||
        !SWITCH_VALUES.includes(rec.to)
      )
        throw new JournalFormatError(path, `line ${line}: a setting record binlog-flusher never writes`);
      state.settings.set(rec.name, { from: rec.from, to: rec.to });
      return;
    case 'setting-restored':
      state.settings.delete(rec.name);
      return;
    default:
      throw new JournalFormatError(
        path,
        `line ${line}: unknown record type ${JSON.stringify((rec as { type: string }).type)}`,
      );
  }
}

/** The plan record: every table checked, and inside the schemas the run selected. */
function applyPlan(
  state: JournalState,
  rec: Extract<JournalRecord, { type: 'plan' }>,
  path: string,
  line: number,
): void {
  if (!Array.isArray(rec.tables)) throw new JournalFormatError(path, `line ${line}: plan without tables`);
  const dbs = state.header?.options?.databases;
  const allowed = Array.isArray(dbs) && dbs.length ? (dbs as string[]) : undefined;
  for (const t of rec.tables) {
    validateTable(t, path, line);
    if (allowed && !allowed.includes(t.schema)) {
      throw new JournalFormatError(
        path,
        `line ${line}: ${t.schema}.${t.table} is outside the schemas the run selected (${allowed.join(', ')})`,
      );
    }
  }
  state.tables = rec.tables;
  state.marker = rec.marker;
}

/** Where the run stood in the binlog at its start and end, and how it ended. */
function applyEdge(
  state: JournalState,
  rec: Extract<JournalRecord, { type: 'binlog' | 'end' }>,
  path: string,
  line: number,
): void {
  if (rec.type === 'binlog') {
    if ((rec.edge !== 'start' && rec.edge !== 'end') || typeof rec.position?.file !== 'string')
      throw new JournalFormatError(path, `line ${line}: a binlog record binlog-flusher never writes`);
    state.binlog[rec.edge] = rec.position;
    if (rec.edge === 'end' && typeof rec.gtids === 'string') state.runGtids = rec.gtids;
    return;
  }
  state.end = rec.status;
  // The flush's own end comes first (recover's, if any, after it).
  if (rec.status !== 'recovered') state.flushEnd ??= rec.status;
  // The first: a later recover (which found nothing to do) may come after the applier ran again.
  if (typeof rec.binlog?.file === 'string') state.recoveredAt ??= rec.binlog;
}

/** A record of a table's chunks (plan, cuts, sends, acknowledgements), into the state. */
function applyChunkRecord(
  state: JournalState,
  rec: Extract<JournalRecord, { type: 'chunk' | 'chunk-plan' | 'chunk-cut' | 'chunk-sent' }>,
  path: string,
  line: number,
): void {
  switch (rec.type) {
    case 'chunk': {
      state.chunks.set(rec.id, { chunk: rec.chunk, rows: rec.rows });
      if (Array.isArray(rec.gtids))
        state.gtids.set(rec.id, [...(state.gtids.get(rec.id) ?? []), ...rec.gtids]);
      const acked = state.acked.get(rec.id) ?? new Map<number, number>();
      for (const a of rec.acks ?? []) {
        if (!Number.isInteger(a?.seq) || !Number.isInteger(a?.rows))
          throw new JournalFormatError(path, `line ${line}: a chunk record binlog-flusher never writes`);
        acked.set(a.seq, a.rows);
      }
      state.acked.set(rec.id, acked);
      return;
    }
    case 'chunk-plan':
      if (!validCopyPlan(rec.plan) || typeof rec.binlog?.file !== 'string' || typeof rec.columns !== 'string')
        throw new JournalFormatError(path, `line ${line}: a chunk plan binlog-flusher never writes`);
      state.copyPlans.set(rec.id, rec);
      state.acked.set(rec.id, new Map());
      state.sent.set(rec.id, new Set());
      state.walks.delete(rec.id);
      if (rec.plan.kind === 'walk') state.walks.set(rec.id, { cuts: [], ended: false });
      return;
    case 'chunk-cut': {
      const w = state.walks.get(rec.id);
      const plan = state.copyPlans.get(rec.id)?.plan;
      const known = (plan?.kind === 'walk' ? plan.cuts.length : 0) + (w?.cuts.length ?? 0);
      const cut = rec.cut;
      const wellFormed = cut === null || (Array.isArray(cut) && cut.every((v) => typeof v === 'string'));
      if (!w || w.ended || rec.seq !== known || !wellFormed)
        throw new JournalFormatError(path, `line ${line}: a chunk-cut record binlog-flusher never writes`);
      if (cut === null) w.ended = true;
      else w.cuts.push(cut);
      return;
    }
    case 'chunk-sent': {
      if (!Number.isInteger(rec.seq))
        throw new JournalFormatError(path, `line ${line}: a chunk-sent record binlog-flusher never writes`);
      const sent = state.sent.get(rec.id) ?? new Set<number>();
      sent.add(rec.seq);
      state.sent.set(rec.id, sent);
      return;
    }
  }
}

/** A chunk plan's shape (its key values are checked again before they become SQL: sql/key-values). */
function validCopyPlan(p: JournalCopyPlan | undefined): boolean {
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

function validateTable(t: JournalTable, path: string, line: number): void {
  const ok =
    typeof t === 'object' &&
    t !== null &&
    Number.isInteger(t.id) &&
    [t.schema, t.table, t.backup, t.twin].every(
      (v) => typeof v === 'string' && v.length > 0 && v.length <= 64,
    );
  if (!ok) throw new JournalFormatError(path, `line ${line}: a plan entry is incomplete`);
  if (!isOurBackupName(t.backup) || !isOurTwinName(t.twin)) {
    throw new JournalFormatError(
      path,
      `line ${line}: ${t.schema}.${t.table} has backup name ${JSON.stringify(t.backup)}, which binlog-flusher never creates`,
    );
  }
}

function parseLegacy(
  lines: string[],
  path: string,
  schema: string | undefined,
  schemaInput: string,
): JournalState {
  const state: JournalState = {
    legacy: true,
    tables: [],
    steps: new Map(),
    seen: new Map(),
    done: new Set(),
    flushed: new Map(),
    partial: new Map(),
    binlog: {},
    chunks: new Map(),
    gtids: new Map(),
    copyPlans: new Map(),
    acked: new Map(),
    sent: new Map(),
    walks: new Map(),
    doneBefore: new Set(),
    settings: new Map(),
  };
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
