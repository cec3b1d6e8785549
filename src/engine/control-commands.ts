/**
 * The live control channel's commands, parsed (pure). One command per line of the control file:
 *   status                                  what the run is doing, and its controls
 *   pause / resume                          hold every new chunk (and every set-aside) / go on
 *   throttle max-rows-per-second=N|off      change the rate cap
 *   throttle max-load=STATUS=N|N|off        change the load brake
 *   throttle critical-load=STATUS=N|N|off   change the load that ends the run
 *   abort                                   end the run now, every table put back
 *   help
 */

export interface Load {
  /** A SHOW GLOBAL STATUS name. */
  status: string;
  limit: number;
}

export type ControlCommand =
  | { kind: 'status' | 'pause' | 'resume' | 'abort' | 'help' }
  | { kind: 'rate'; rowsPerSecond: number | undefined }
  | { kind: 'brake' | 'critical'; load: Load | undefined };

export const CONTROL_HELP =
  'commands: status | pause | resume | throttle max-rows-per-second=N|off | ' +
  'throttle max-load=STATUS=N|off | throttle critical-load=STATUS=N|off | abort | help';

/** The most a limit may be (as the inputs allow). */
const MAX_LIMIT = 1_000_000_000;

/**
 * `Threads_running=25`, or a bare number for `defaultStatus`; undefined when it is neither. The
 * number must be a whole number up to a billion.
 */
export function parseLoad(text: string, defaultStatus: string): Load | undefined {
  const m = /^(?:([A-Za-z_]+)\s*=\s*)?(\d{1,10})$/.exec(text.trim());
  if (!m) return undefined;
  const limit = Number(m[2]);
  if (limit > MAX_LIMIT) return undefined;
  return { status: m[1] ?? defaultStatus, limit };
}

/** One line of the control file as a command, or why it is not one. */
export function parseControlCommand(line: string, defaultStatus: string): ControlCommand | { error: string } {
  const words = line.trim().split(/\s+/);
  const [verb, arg, ...rest] = words;
  const simple = ['status', 'pause', 'resume', 'abort', 'help'] as const;
  const plain = simple.find((k) => k === verb?.toLowerCase());
  if (plain) return arg === undefined ? { kind: plain } : { error: `${plain} takes no argument` };
  if (verb?.toLowerCase() !== 'throttle' || arg === undefined || rest.length)
    return { error: `not a command: ${JSON.stringify(line.trim().slice(0, 80))}; ${CONTROL_HELP}` };
  const eq = arg.indexOf('=');
  const [name, value] = eq < 0 ? [arg, ''] : [arg.slice(0, eq), arg.slice(eq + 1)];
  const off = value.toLowerCase() === 'off';
  switch (name) {
    case 'max-rows-per-second': {
      if (off) return { kind: 'rate', rowsPerSecond: undefined };
      const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= MAX_LIMIT)) return { error: `max-rows-per-second: a whole number from 1, or off` };
      return { kind: 'rate', rowsPerSecond: n };
    }
    case 'max-load':
    case 'critical-load': {
      const kind = name === 'max-load' ? 'brake' : 'critical';
      if (off) return { kind, load: undefined };
      const load = parseLoad(value, defaultStatus);
      if (!load) return { error: `${name}: STATUS=N (for example Threads_running=25), a number, or off` };
      return { kind, load };
    }
    default:
      return {
        error: `throttle: max-rows-per-second, max-load or critical-load, not ${JSON.stringify(name)}`,
      };
  }
}
