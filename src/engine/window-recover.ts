/**
 * What `recover` does with a flush in windows that was killed (issue 27), from where its journal
 * left it (its last window record: journal.ts's WINDOW_EVENTS) and what the server shows now. Pure:
 * recover.ts reads the facts and acts; the tables themselves are put back as after any run, table by
 * table from the live state (restore.ts).
 *
 * The run found the applier running (preflight refuses a flush in windows otherwise) and stopped it
 * only for its windows, so once every table is back the applier runs again, as the run would have
 * started it at the window's close: recover undoes the run's own stop. Never while a twin holds a
 * name (ServerHold's decideRelease guards the start). An applier the run had started again
 * (`applier-started`, `caught-up`) and that is stopped now was stopped by someone else, or by an
 * error: recover leaves it as it is, and says so.
 */
import type { WindowEvent } from '../journal/journal.js';

export interface WindowRecoverFacts {
  /** The journal's last window record; undefined: not a flush in windows, or killed before its first. */
  window: { event: WindowEvent; n: number } | undefined;
  /** The journal has the flush's own end record (the run ended and gave the server back itself). */
  ended: boolean;
  /** A backup or a twin of the journal's tables is on the server. */
  tablesAside: boolean;
  /** The applier runs now. */
  applierRunning: boolean;
}

export interface WindowRecoverPlan {
  /** Stop the applier before putting tables back (a replicated write into a twin is lost). */
  stopApplier: boolean;
  /** Put the tables aside back (restore.ts, from the live state). */
  putBack: boolean;
  /** Start the applier once every table is back. */
  startApplier: boolean;
  /** What recover says of the window. */
  note: string;
}

/** What recover does for the windows; undefined: nothing of its own (recover as after one stop). */
export function decideWindowRecovery(f: WindowRecoverFacts): WindowRecoverPlan | undefined {
  if (!f.window || f.ended) return undefined;
  const { event, n } = f.window;
  const where =
    event === 'open'
      ? `window ${n} was open`
      : event === 'close'
        ? `window ${n} had closed (every table back) and the applier was about to start`
        : `the run was between windows (after window ${n}), the applier running`;
  if (f.tablesAside) {
    const odd = event === 'open' ? '' : ' although the journal has every table back';
    return {
      stopApplier: f.applierRunning,
      putBack: true,
      startApplier: true,
      note: `${where}; tables are aside${odd}: the applier is stopped while they are put back, then started again`,
    };
  }
  if (event === 'open' || event === 'close')
    return {
      stopApplier: false,
      putBack: false,
      startApplier: !f.applierRunning,
      note: f.applierRunning
        ? `${where}; no table is aside and the applier runs`
        : `${where}; no table is aside: the applier is started again, as the run would have`,
    };
  return {
    stopApplier: false,
    putBack: false,
    startApplier: false,
    note: f.applierRunning
      ? `${where}; no table is aside: nothing to do`
      : `${where}; the applier is stopped now, which the run did not do (someone stopped it, or it stopped on an error): left as it is`,
  };
}
