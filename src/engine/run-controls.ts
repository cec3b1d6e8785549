/**
 * What changes a run's controls while it copies: the control channel's commands and the critical
 * load. Both can end the run through the same abort as a cancel (every table put back).
 */
import type { Db } from '../db/connection.js';
import { errorText } from '../model/errors.js';
import { globalStatusExists } from '../inspect/server.js';
import type { JournalWriter } from '../journal/journal.js';
import type { Logger } from '../model/log.js';
import { now } from '../model/time.js';
import { ControlChannel } from './control-channel.js';
import { CONTROL_HELP, loadOrderError, type ControlCommand } from './control-commands.js';
import type { CopyContext } from './copy-context.js';
import { statusLine, type StatusBoard } from './status.js';

/** How often the critical load is read. */
export const CRITICAL_POLL_MS = 1000;

/** An abort that follows `outer` (the process's cancel) and that the run's controls can also pull. */
export function linkedAbort(outer: AbortSignal | undefined): AbortController {
  const inner = new AbortController();
  const follow = () => inner.abort(typeof outer?.reason === 'string' ? outer.reason : 'cancelled');
  if (outer?.aborted) follow();
  else outer?.addEventListener('abort', follow, { once: true });
  return inner;
}

export interface LiveControls {
  stop(): Promise<void>;
}

/** Start the channel's commands (when there is a channel) and the critical-load watch (when set). */
export function startLiveControls(o: {
  channel: ControlChannel | undefined;
  run: CopyContext;
  status: StatusBoard;
  abort: AbortController;
  db: Db;
  journal: JournalWriter;
  log: Logger;
}): LiveControls {
  const { channel, run, abort, journal } = o;
  channel?.start(commandHandler(o), (command, answer) =>
    journal.write({ type: 'control', command, answer, at: now() }),
  );
  let checking = false;
  const watch = setInterval(() => {
    if (checking || abort.signal.aborted) return;
    checking = true;
    run.controls
      .critical()
      .then((why) => why && abort.abort(why))
      .catch((e: unknown) => o.log.warn(`critical load: could not be read: ${errorText(e)}`))
      .finally(() => (checking = false));
  }, CRITICAL_POLL_MS);
  watch.unref();
  return {
    stop: async () => {
      clearInterval(watch);
      await channel?.stop();
    },
  };
}

function commandHandler(o: {
  run: CopyContext;
  status: StatusBoard;
  abort: AbortController;
  db: Db;
}): (c: ControlCommand) => Promise<string> {
  const { run, abort } = o;
  return async (c) => {
    switch (c.kind) {
      case 'status': {
        const held = run.controls.holding();
        const line = statusLine({ ...o.status.totals(), ...(held && { held }) });
        return `${line}; tables aside ${run.scheduler.asideCount()}; ${run.controls.describe()}`;
      }
      case 'pause':
        run.controls.setPaused(true);
        return 'paused: no new chunk starts and no table is set aside; chunks already sent finish';
      case 'resume':
        run.controls.setPaused(false);
        return `resumed; ${run.controls.describe()}`;
      case 'rate':
        run.controls.setRate(c.rowsPerSecond);
        return `max-rows-per-second ${c.rowsPerSecond ?? 'off'}`;
      case 'brake':
      case 'critical': {
        const name = c.kind === 'brake' ? 'max-load' : 'critical-load';
        // Held against the other load as it is now: critical-load stays over max-load.
        const clash = loadOrderError(c.kind, c.load, run.controls.loads());
        if (clash) throw new Error(clash);
        if (c.load && !(await globalStatusExists(o.db, c.load.status)))
          throw new Error(
            `${name}: this server has no status ${c.load.status} (SHOW GLOBAL STATUS does not list it)`,
          );
        if (c.kind === 'brake') run.controls.setBrake(c.load);
        else run.controls.setCritical(c.load);
        return `${name} ${c.load ? `${c.load.status}=${c.load.limit}` : 'off'}`;
      }
      case 'abort':
        if (abort.signal.aborted) return 'already ending';
        abort.abort('aborted by the control channel');
        return 'aborting: no new chunk starts; every table goes back';
      case 'help':
        return CONTROL_HELP;
    }
  };
}
