/**
 * The one owner of what a run (or `recover`) holds of the server while tables are set aside: the
 * replica applier stopped, and read_only / super_read_only changed (see server-settings.ts for which
 * change and why). Each setting change is journaled, durably, before it is made; the put-back writes
 * `setting-restored` for each. The flush, `recover` and the action's post step (through `recover`)
 * all hold and release through it.
 *
 * The applier's transitions are idempotent and counted (`windows`): stop -> release -> stop again
 * is allowed any number of times in one hold, so a run may let the replica replicate between chunk
 * windows. They are not journaled: recover decides from live state (applier running, tables aside).
 *
 * `decideRelease` says, purely, what a release may do given what is held and what the server shows.
 */
import { errorText } from '../model/errors.js';
import { existingTables } from '../inspect/set-aside.js';
import { readOnlyState, type ReadOnlyState } from '../inspect/server.js';
import type { TableName } from '../inspect/writers.js';
import type { JournalState, JournalWriter, ServerSetting, Switch } from '../journal/journal.js';
import type { Logger } from '../model/log.js';
import { now } from '../model/time.js';
import { decidePutBack, holdChanges, type SettingChange, type SettingReport } from './server-settings.js';
import type { Writer } from './writer.js';

/** The statements the hold makes and the reads it decides from (a Writer, or a fake in tests). */
export interface HoldTarget {
  readOnly(): Promise<ReadOnlyState>;
  set(name: ServerSetting, value: Switch): Promise<void>;
  stopApplier(): Promise<void>;
  startApplier(): Promise<void>;
  /** Which of these tables are on the server. */
  existing(tables: TableName[]): Promise<TableName[]>;
}

/** Where the hold journals its changes (a JournalWriter: durable once `write` returns). */
export type HoldJournal = Pick<JournalWriter, 'write'>;

export function liveTarget(writes: Writer): HoldTarget {
  return {
    readOnly: () => readOnlyState(writes.db),
    set: (name, value) =>
      name === 'read_only' ? writes.setReadOnly(value === 'ON') : writes.setSuperReadOnly(value === 'ON'),
    stopApplier: () => writes.stopReplica(),
    startApplier: () => writes.startReplica(),
    existing: (tables) => existingTables(writes.db, tables),
  };
}

/** as-found: the hold has not touched the applier; stopped: it stopped it; started: it started it since. */
export type ApplierHold = 'as-found' | 'stopped' | 'started';

export interface ReleaseFacts {
  /** No twin holds a table's name: every table the hold protects is back (or never left). */
  tablesBack: boolean;
  /** The server is a replica. */
  replica: boolean;
  /** What the hold did to the applier so far. */
  applier: ApplierHold;
  /** start-replica: start the applier on release even where this hold did not stop it. */
  startReplica: boolean;
  /**
   * Start an applier this hold stopped whatever start-replica says (recover undoes its own stop; a
   * flush leaves the applier stopped unless start-replica asks).
   */
  startOwnStop: boolean;
}

export interface ReleasePlan {
  /** Put read_only / super_read_only back (`decidePutBack` says which, and in what order). */
  putBack: boolean;
  /** Start the applier. */
  startApplier: boolean;
}

/** What a release does, from what is held and what the server shows. Pure. */
export function decideRelease(f: ReleaseFacts): ReleasePlan {
  if (!f.tablesBack) return { putBack: false, startApplier: false };
  const asked = f.startReplica || (f.startOwnStop && f.applier === 'stopped');
  return { putBack: true, startApplier: f.replica && f.applier !== 'started' && asked };
}

/** The settings changes a journal holds (`setting` records not yet `setting-restored`), in its order. */
export function heldIn(journal: Pick<JournalState, 'settings'>): SettingChange[] {
  return [...journal.settings].map(([name, v]) => ({ name, ...v }));
}

const HOLD_NOTE: Record<ServerSetting, string> = {
  read_only: 'read_only turned ON for the run: other sessions cannot write into set-aside tables',
  super_read_only:
    'super_read_only turned OFF for the run (read_only stays ON): the run may rename tables, and only sessions read_only exempts may write',
};

export class ServerHold {
  private held: SettingChange[];
  private applierHold: ApplierHold = 'as-found';
  private stops = 0;

  /** `held`: changes an earlier run journaled and did not put back (recover takes them over). */
  constructor(
    private readonly server: HoldTarget,
    private readonly journal: HoldJournal | undefined,
    private readonly log: Logger,
    held: readonly SettingChange[] = [],
  ) {
    this.held = [...held];
  }

  static of(
    writes: Writer,
    journal: HoldJournal | undefined,
    log: Logger,
    held?: readonly SettingChange[],
  ): ServerHold {
    return new ServerHold(liveTarget(writes), journal, log, held);
  }

  /** The read_only / super_read_only changes held now, in the order they were first journaled. */
  get settings(): SettingChange[] {
    return [...this.held];
  }

  get applier(): ApplierHold {
    return this.applierHold;
  }

  /** How many times this hold stopped the applier: one per window. */
  get windows(): number {
    return this.stops;
  }

  /** `decideRelease` with what this hold did to the applier. */
  decide(f: Omit<ReleaseFacts, 'applier'>): ReleasePlan {
    return decideRelease({ ...f, applier: this.applierHold });
  }

  /** Journal, then make, each change the run needs (see `holdChanges`); [] when none is needed. */
  async holdReadOnly(): Promise<SettingReport[]> {
    const out: SettingReport[] = [];
    for (const c of holdChanges(await this.server.readOnly())) {
      await this.journal?.write({ type: 'setting', ...c, at: now() });
      await this.server.set(c.name, c.to);
      this.keep(c);
      this.log.info(HOLD_NOTE[c.name]);
      out.push({ ...c, outcome: 'held' });
    }
    return out;
  }

  /**
   * Recover's own hold, for a server that has super_read_only ON again while tables of the run are
   * set aside (a restart with it in the option file, or an operator): every rename recover must make
   * would be refused. Turned OFF as the run does it (journaled first, read_only stays ON) and put
   * back at the end with the run's own changes. Only when a set-aside table or twin of the journal is
   * on the server, so a recover with nothing to do changes nothing; never without a journal to write.
   */
  async holdForRecovery(tables: JournalState['tables']): Promise<void> {
    if (!this.journal || (await this.server.readOnly()).super_read_only !== 'ON') return;
    const ours = tables.flatMap((t) => [
      { schema: t.schema, table: t.backup },
      ...(t.twin ? [{ schema: t.schema, table: t.twin }] : []),
    ]);
    if ((await this.server.existing(ours)).length === 0) return;
    const c: SettingChange = { name: 'super_read_only', from: 'ON', to: 'OFF' };
    await this.journal.write({ type: 'setting', ...c, at: now() });
    try {
      await this.server.set(c.name, c.to);
    } catch (e) {
      await this.journal.write({ type: 'setting-restored', name: c.name, value: c.from, at: now() });
      this.held = this.held.filter((h) => h.name !== c.name);
      this.log.warn(
        `super_read_only is ON, which refuses every rename recover must make, and this user could not turn it OFF: ${errorText(e)}`,
      );
      return;
    }
    this.keep(c);
    this.log.info(
      'super_read_only is ON: turned OFF for the recovery (read_only stays ON), put back once every table is back',
    );
  }

  /** Put back every change held (only once no table is set aside); each gets its `setting-restored`. */
  async putBack(): Promise<SettingReport[]> {
    const live = await this.server.readOnly();
    const { steps, reports } = decidePutBack(this.held, live);
    for (const step of steps) {
      await this.server.set(step.name, step.value);
      this.log.info(`${step.name} put back to ${step.value}`);
    }
    for (const r of reports) {
      if (r.outcome === 'changed') this.log.warn(`${r.name}: ${r.why}; left as it is`);
      await this.journal?.write({
        type: 'setting-restored',
        name: r.name,
        value: r.outcome === 'changed' ? (live[r.name] ?? 'absent') : r.from,
        at: now(),
      });
      this.held = this.held.filter((h) => h.name !== r.name);
    }
    return reports;
  }

  /** Stop the applier, unless this hold has it stopped already; true when it stopped it now. */
  async stop(why?: string): Promise<boolean> {
    if (this.applierHold === 'stopped') return false;
    await this.server.stopApplier();
    this.applierHold = 'stopped';
    this.stops++;
    this.log.info(`replica applier stopped${why ? `: ${why}` : ''}`);
    return true;
  }

  /**
   * Start the applier, unless this hold started it already (ask `decide` first: never while a twin
   * holds a table's name). `again`: who had stopped it, said when this hold did.
   */
  async release(again?: string): Promise<boolean> {
    if (this.applierHold === 'started') return false;
    const wasStopped = this.applierHold === 'stopped';
    await this.server.startApplier();
    this.applierHold = 'started';
    this.log.info(`replica applier started${again && wasStopped ? ` again (${again} had stopped it)` : ''}`);
    return true;
  }

  /** Hold `c`: in place where its setting is held already (a journal's order), else last. */
  private keep(c: SettingChange): void {
    const i = this.held.findIndex((h) => h.name === c.name);
    if (i >= 0) this.held[i] = { ...c };
    else this.held.push({ ...c });
  }
}
