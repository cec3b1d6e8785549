/**
 * The live control channel's commands, parsed (pure). One command per line of the control file:
 *   status                                  what the run is doing, and its controls
 *   pause / resume                          hold every new chunk (and every set-aside) / go on
 *   throttle max-rows-per-second=N|off      change the rate cap
 *   throttle max-load=STATUS=N|N|off        change the load brake
 *   throttle critical-load=STATUS=N|N|off   change the load that ends the run
 *   abort                                   end the run now, every table put back
 *   help
 * A limit is held to the same range as the input of the same name (the registry's, model/inputs.ts), and a load command is
 * held against the other load now in force: critical-load must stay over max-load (loadOrderError).
 */
import { InputError } from '../model/errors.js';
import { LOAD_STATUS, inputSpec, limitsOf, type ControlKey } from '../model/inputs.js';
import { parseIntInput } from '../model/settings.js';

export interface Load {
  /** A SHOW GLOBAL STATUS name. */
  status: string;
  limit: number;
}

export type ControlCommand =
  | { kind: 'status' | 'pause' | 'resume' | 'abort' | 'help' }
  | { kind: 'rate'; rowsPerSecond: number | undefined }
  | { kind: 'brake' | 'critical'; load: Load | undefined };

/**
 * The command each setting the control channel may change (the registry's control inputs, each
 * one) makes, in the order the help lists them.
 */
const KINDS: Record<ControlKey, 'rate' | 'brake' | 'critical'> = {
  'max-rows-per-second': 'rate',
  'max-load': 'brake',
  'critical-load': 'critical',
};
const SETTINGS = Object.keys(KINDS) as ControlKey[];

/** The control inputs as a message lists them: `a, b or c`. */
const SETTINGS_LISTED = `${SETTINGS.slice(0, -1).join(', ')} or ${SETTINGS[SETTINGS.length - 1]}`;

export const CONTROL_HELP = `commands: status | pause | resume | ${SETTINGS.map(
  (k) => `throttle ${k}=${inputSpec(k).type === 'load' ? 'STATUS=N' : 'N'}|off`,
).join(' | ')} | abort | help`;

/**
 * `Threads_running=25`, or a bare number for `defaultStatus`; undefined when it is neither. Only the
 * form: the limit's range is checked by the command (`limitError`), as the inputs check it.
 */
export function parseLoad(text: string, defaultStatus: string): Load | undefined {
  const m = /^(?:([A-Za-z_]+)\s*=\s*)?(\d{1,10})$/.exec(text.trim());
  if (!m) return undefined;
  return { status: m[1] ?? defaultStatus, limit: Number(m[2]) };
}

/**
 * Why `limit` is out of the input `name`'s range, in the inputs' own words
 * (`max-load: expected a whole number from 1 to 100000, got 0`); undefined when it is in range.
 */
function limitError(name: string, limit: number, range: { min: number; max: number }): string | undefined {
  try {
    parseIntInput(name, String(limit), 0, range);
    return undefined;
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
}

/**
 * Whether a new load keeps critical-load over max-load (when both watch the same status, as the
 * inputs require): the command's message naming the input and the limits it may take, or undefined.
 * `now`: the loads in force when the command arrives.
 */
export function loadOrderError(
  kind: 'brake' | 'critical',
  load: Load | undefined,
  now: { brake?: Load; critical?: Load },
): string | undefined {
  const { min, max } = limitsOf(kind === 'critical' ? 'critical-load' : 'max-load');
  if (kind === 'critical') {
    const brake = now.brake;
    if (!load || !brake || brake.status !== load.status || load.limit > brake.limit) return undefined;
    const fix =
      brake.limit < max
        ? `give a limit from ${brake.limit + 1} to ${max}`
        : `no limit up to ${max} is over it; lower max-load first`;
    return `critical-load: ${load.status}=${load.limit} is not over max-load (${brake.limit}): the run would end before the brake ever held it; ${fix}`;
  }
  const critical = now.critical;
  if (!load || !critical || critical.status !== load.status || critical.limit > load.limit) return undefined;
  const fix =
    critical.limit > min ? `give a limit from ${min} to ${critical.limit - 1}` : 'raise critical-load first';
  return `max-load: ${load.status}=${load.limit} is not under critical-load (${critical.limit}): the run would end before the brake ever held it; ${fix}`;
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
  const setting = SETTINGS.find((k) => k === name);
  if (!setting) return { error: `throttle: ${SETTINGS_LISTED}, not ${JSON.stringify(name)}` };
  const kind = KINDS[setting];
  const range = limitsOf(setting);
  if (kind === 'rate') {
    if (off) return { kind, rowsPerSecond: undefined };
    const n = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(n >= range.min && n <= range.max))
      return { error: `${setting}: a whole number from ${range.min}, or off` };
    return { kind, rowsPerSecond: n };
  }
  if (off) return { kind, load: undefined };
  const load = parseLoad(value, defaultStatus);
  if (!load) return { error: `${setting}: STATUS=N (for example ${LOAD_STATUS}=25), a number, or off` };
  const error = limitError(setting, load.limit, range);
  return error ? { error } : { kind, load };
}
