/**
 * The one registry of inputs (issue 26): per input, what each surface calls it (the action's input,
 * the command line's flag and short flag, the option file's key), its type, its default, its limits,
 * whether `resume` takes it from the earlier run, whether the live control channel may change it, and
 * what it does. The settings' DEFAULTS and LIMITS, the action's defaults, the resumable inputs, the
 * command line's flags and the control channel's rules are all read from here; action.yml, which
 * GitHub reads as it is, is held to it by test/unit/surfaces-agree.test.ts.
 *
 * The key is the input's canonical name: the action's, where the action has it.
 */

export type InputType = 'int' | 'bool' | 'enum' | 'text' | 'list' | 'path' | 'load' | 'secret';

export interface Range {
  min: number;
  max: number;
}

/** How the command line takes an input. */
export interface CliSpec {
  /** The flag as messages name it; absent: `--<key>`. */
  flag?: string;
  /** The MySQL clients' short flag (`-h`). */
  short?: string;
  /** The value's placeholder (`<n>`, `[password]`); absent: a switch. */
  arg?: string;
  /** A switch declared only as its negation (`--no-set-read-only`): the input is on by default. */
  negated?: true;
  /** A switch with both forms, and the other name it also answers to (`--stop-replica`). */
  alias?: string;
  /** Declared but left out of the help (refused with its reason). */
  hidden?: true;
}

export interface InputSpec {
  /** Read by the one settings builder of both surfaces (an InputKey). */
  settings?: true;
  type: InputType;
  /** The settings' default, when it is a fixed value. */
  default?: number | boolean | string;
  limits?: Range;
  /** An enum's values. */
  values?: readonly string[];
  /** action.yml declares it, with this default (GitHub gives '' for an input left out). */
  action?: { default: string; required?: true; type?: InputType };
  cli?: CliSpec;
  /** The option file's (`--mycnf`) key that gives it too. */
  optionFile?: string;
  /** `resume` takes it from the earlier run unless the user chose it. */
  resumable?: true;
  /** The control channel may change it while the tables are copied (`throttle <key>=...`). */
  control?: true;
  /**
   * What it does: the flush's help for its flag (`{default}` stands for the default), else what the
   * action's input is.
   */
  description: string;
}

/** The server status a load (`max-load`, `critical-load`) watches when only a number is given. */
export const LOAD_STATUS = 'Threads_running';

/** The limits of both loads: a brake and the load that ends the run compare on one scale. */
const LOAD_LIMITS: Range = { min: 1, max: 100_000 };

const SWITCH_OFF = { type: 'bool', default: false, action: { default: 'false' }, cli: {} } as const;

export const INPUTS = {
  host: {
    settings: true,
    type: 'text',
    action: { default: '', required: true },
    cli: { short: '-h', arg: '<host>' },
    optionFile: 'host',
    description: "the server's host name or IP address",
  },
  port: {
    settings: true,
    type: 'int',
    default: 3306,
    limits: { min: 1, max: 65535 },
    action: { default: '3306' },
    cli: { short: '-P', arg: '<port>' },
    optionFile: 'port',
    description: 'server port',
  },
  user: {
    settings: true,
    type: 'text',
    default: 'root',
    action: { default: '' },
    cli: { short: '-u', arg: '<user>' },
    optionFile: 'user',
    description: 'user',
  },
  password: {
    settings: true,
    type: 'secret',
    action: { default: '' },
    cli: { short: '-p', arg: '[password]', hidden: true },
    optionFile: 'password',
    description: 'password (never on the command line: the option file or MYSQL_PWD)',
  },
  socket: {
    settings: true,
    type: 'path',
    cli: { short: '-S', arg: '<path>' },
    optionFile: 'socket',
    description: 'Unix socket of a server on this host, instead of --host and --port',
  },
  mycnf: {
    settings: true,
    type: 'path',
    action: { default: '' },
    cli: { arg: '<file>' },
    description: 'option file, read as the MySQL clients read it',
  },
  'ssl-mode': {
    settings: true,
    type: 'enum',
    values: ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'],
    action: { default: '' },
    cli: { arg: '<mode>' },
    optionFile: 'ssl-mode',
    description: 'TLS mode (default: VERIFY_CA with a CA, else DISABLED)',
  },
  'ssl-ca': {
    settings: true,
    type: 'path',
    action: { default: '' },
    cli: { arg: '<file>' },
    optionFile: 'ssl-ca',
    description: 'CA certificate (PEM) to verify the server with',
  },
  databases: {
    settings: true,
    type: 'list',
    action: { default: '' },
    cli: { flag: '--db', arg: '<list>' },
    resumable: true,
    description: 'comma-separated schemas (default: all but system schemas)',
  },
  tables: {
    settings: true,
    type: 'list',
    action: { default: '' },
    cli: { flag: '--table', arg: '<list>' },
    resumable: true,
    description: 'comma-separated tables, `table` or `schema.table`',
  },
  skip: {
    settings: true,
    type: 'list',
    action: { default: '' },
    cli: { arg: '<list>' },
    resumable: true,
    description: 'comma-separated schemas (`schema`) and tables (`schema.table`) to leave out',
  },
  'stop-replica': {
    settings: true,
    type: 'bool',
    default: true,
    action: { default: 'true' },
    cli: { flag: '--stop-slave', alias: '--stop-replica' },
    resumable: true,
    description: 'stop the replica applier first (default)',
  },
  'start-replica': {
    settings: true,
    type: 'bool',
    default: false,
    action: { default: 'false' },
    cli: { flag: '--start-slave', alias: '--start-replica' },
    resumable: true,
    description: 'start the applier again at the end',
  },
  concurrency: {
    settings: true,
    type: 'int',
    default: 4,
    limits: { min: 1, max: 64 },
    action: { default: '4' },
    cli: { arg: '<n>' },
    resumable: true,
    description: 'worker sessions; several copy one big table at once (default {default})',
  },
  'chunk-size': {
    settings: true,
    type: 'int',
    default: 100_000,
    limits: { min: 1, max: 10_000_000 },
    action: { default: '100000' },
    cli: { arg: '<rows>' },
    resumable: true,
    description: 'rows per binlog transaction (default {default})',
  },
  ddl: {
    settings: true,
    type: 'enum',
    default: 'create',
    values: ['create', 'none'],
    action: { default: 'create' },
    cli: { arg: '<mode>' },
    resumable: true,
    description: "create: log each table's CREATE TABLE before its rows (default); none: rows only",
  },
  hashfile: {
    settings: true,
    type: 'path',
    action: { default: '' },
    cli: { arg: '<file>' },
    description:
      'journal path, a new file (default: binlog-flusher-<host>-<time>.hashfile in the working directory)',
  },
  'allow-primary': {
    settings: true,
    ...SWITCH_OFF,
    resumable: true,
    description: 'run even though the server is not a replica',
  },
  'allow-downstream': {
    settings: true,
    ...SWITCH_OFF,
    resumable: true,
    description: "run even though replicas read this server's binlog",
  },
  'rotate-binlog': {
    settings: true,
    ...SWITCH_OFF,
    resumable: true,
    description: 'start a new binlog file first (FLUSH BINARY LOGS)',
  },
  timeout: {
    settings: true,
    type: 'int',
    default: 600,
    limits: { min: 1, max: 86_400 },
    action: { default: '600' },
    cli: { arg: '<seconds>' },
    description: 'longest a statement may take before the server counts as not answering (default {default})',
  },
  'lock-wait': {
    settings: true,
    type: 'int',
    default: 60,
    limits: { min: 0, max: 86_400 },
    action: { default: '60' },
    cli: { arg: '<seconds>' },
    description:
      'how long to wait for another run (flush or recover) on this server to finish (default {default})',
  },
  'set-read-only': {
    settings: true,
    type: 'bool',
    default: true,
    action: { default: 'true' },
    cli: { negated: true },
    resumable: true,
    description:
      'leave read_only and super_read_only as they are (default: read_only turned ON, or on MySQL super_read_only turned OFF with read_only kept ON, and back at the end): writes by other sessions into set-aside tables are then not refused, and a server with super_read_only ON is refused',
  },
  'allow-writers': {
    settings: true,
    ...SWITCH_OFF,
    resumable: true,
    description: 'run although enabled events that write into the selected tables were found',
  },
  'stop-on-error': {
    settings: true,
    ...SWITCH_OFF,
    resumable: true,
    description: 'end the run at the first table that fails (default: put it back, go on)',
  },
  'max-tables-aside': {
    settings: true,
    type: 'int',
    limits: { min: 1, max: 10_000 },
    action: { default: '' },
    cli: { arg: '<n>' },
    resumable: true,
    description: 'most tables set aside at once (default: --concurrency)',
  },
  'pause-file': {
    settings: true,
    type: 'path',
    action: { default: '' },
    cli: { arg: '<file>' },
    description: 'no new chunk starts, and no table is set aside, while this file exists',
  },
  'control-file': {
    settings: true,
    type: 'path',
    action: { default: '' },
    cli: { arg: '<file>' },
    description:
      'live control: append status, pause, resume, throttle <setting>=<value>, abort (answers in <file>.answers)',
  },
  'max-load': {
    settings: true,
    type: 'load',
    limits: LOAD_LIMITS,
    action: { default: '' },
    cli: { arg: '<status=limit>' },
    resumable: true,
    control: true,
    description: `no new chunk starts while a server status (SHOW GLOBAL STATUS) is over a limit, e.g. ${LOAD_STATUS}=25`,
  },
  'critical-load': {
    settings: true,
    type: 'load',
    limits: LOAD_LIMITS,
    action: { default: '' },
    cli: { arg: '<status=limit>' },
    control: true,
    description: `end the run (every table put back) once a server status is over a limit, e.g. ${LOAD_STATUS}=80`,
  },
  'max-rows-per-second': {
    settings: true,
    type: 'int',
    limits: { min: 1, max: 1_000_000_000 },
    action: { default: '' },
    cli: { arg: '<n>' },
    resumable: true,
    control: true,
    description: 'copy at most this many rows per second',
  },
  'max-lag': {
    settings: true,
    type: 'int',
    limits: { min: 1, max: 86_400 },
    action: { default: '' },
    cli: { arg: '<seconds>' },
    resumable: true,
    description:
      'flush in windows, the applier replicating between them, so that the replica stays within this many seconds of its source (default: the applier stopped once, for the whole flush). Being built: for now only a dry run (the action: mode plan) takes it, and checks the replica for it',
  },
  window: {
    settings: true,
    type: 'int',
    limits: { min: 1, max: 86_400 },
    action: { default: '' },
    cli: { arg: '<seconds>' },
    resumable: true,
    description:
      'with --max-lag: the longest one window copies; the next opens once the lag is at most --max-lag minus this (default: half of --max-lag, rounded up)',
  },
  'lag-query': {
    settings: true,
    type: 'text',
    action: { default: '' },
    cli: { arg: '<sql>' },
    resumable: true,
    description:
      "with --max-lag: a SELECT whose one value is the replica's lag in seconds, such as a heartbeat table's (default: the replica status's Seconds_Behind_Source or Seconds_Behind_Master)",
  },
  'status-interval': {
    settings: true,
    type: 'int',
    default: 5,
    limits: { min: 0, max: 3600 },
    action: { default: '5' },
    cli: { arg: '<seconds>' },
    description: 'seconds between status lines, 0 for none (default {default})',
  },
  'gtid-domain-id': {
    settings: true,
    type: 'int',
    limits: { min: 0, max: 4_294_967_295 },
    action: { default: '' },
    cli: { arg: '<n>' },
    resumable: true,
    description:
      "MariaDB: write the flush's transactions in this GTID domain, so other servers can ignore them",
  },
  'gtid-tag': {
    settings: true,
    type: 'text',
    action: { default: '' },
    cli: { arg: '<tag>' },
    resumable: true,
    description: "MySQL 8.3+: tag the flush's GTIDs (uuid:tag:n), so they can be told apart",
  },
  'retention-margin': {
    settings: true,
    type: 'int',
    default: 24,
    limits: { min: 0, max: 8760 },
    action: { default: '24' },
    cli: { arg: '<hours>' },
    resumable: true,
    description:
      "warn when the binlog expires less than this long after the run's estimated end (default {default})",
  },
  resume: {
    settings: true,
    type: 'path',
    // The action resumes from this run's journal artifact: a switch there.
    action: { default: 'false', type: 'bool' },
    cli: { arg: '<hashfile>' },
    description:
      "after a failed run was recovered: flush only the tables its journal does not show finished, with that run's selection and settings",
  },
  // The action's own inputs.
  mode: {
    type: 'enum',
    default: 'flush',
    values: ['flush', 'recover', 'plan', 'verify'],
    action: { default: 'flush' },
    description: 'flush, plan, recover or verify',
  },
  verify: {
    type: 'bool',
    default: false,
    action: { default: 'false' },
    description: 'after a flush that flushed every table, run verify on its journal',
  },
  'artifact-name': { type: 'text', action: { default: '' }, description: 'artifact name of the journal' },
  'retention-days': {
    type: 'int',
    limits: { min: 1, max: 90 },
    action: { default: '' },
    description: 'days to keep the journal artifact',
  },
  'run-id': {
    type: 'int',
    limits: { min: 1, max: Number.MAX_SAFE_INTEGER },
    action: { default: '' },
    description: 'recover mode: the workflow run whose journal artifact to use',
  },
  'github-token': {
    type: 'secret',
    action: { default: '' },
    description: "recover mode with run-id: a token that may read that run's artifacts",
  },
  // The command line's own flags.
  'dry-run': { type: 'bool', cli: {}, description: 'run the preflight and print the plan; change nothing' },
  'counts-only': {
    type: 'bool',
    cli: {},
    description: "compare row counts only; do not read the tables' rows",
  },
  json: { type: 'bool', cli: {}, description: 'print the result as JSON on stdout (logs go to stderr)' },
  verbose: { type: 'bool', cli: {}, description: 'more log lines' },
} satisfies Record<string, InputSpec>;

type Inputs = typeof INPUTS;

/** Every input of any surface, by its canonical name. */
export type InputName = keyof Inputs;

/** Every input the settings builder reads from either surface, by its canonical (action) name. */
export type InputKey = { [K in InputName]: Inputs[K] extends { settings: true } ? K : never }[InputName];

/** The resumable inputs. */
export type ResumableKey = { [K in InputName]: Inputs[K] extends { resumable: true } ? K : never }[InputName];

/** The inputs the control channel may change. */
export type ControlKey = { [K in InputName]: Inputs[K] extends { control: true } ? K : never }[InputName];

const entries = Object.entries(INPUTS) as [InputName, InputSpec][];

export function inputSpec(name: InputName): InputSpec {
  return INPUTS[name];
}

/** The inputs the settings builder reads, in the registry's order. */
export const INPUT_KEYS: readonly InputKey[] = entries
  .filter(([, s]) => s.settings)
  .map(([k]) => k as InputKey);

/** The inputs `resume` takes from the earlier run, in the registry's order. */
export const RESUMABLE_KEYS: readonly ResumableKey[] = entries
  .filter(([, s]) => s.resumable)
  .map(([k]) => k as ResumableKey);

/** The inputs the control channel may change, in the registry's order. */
export const CONTROL_KEYS: readonly ControlKey[] = entries
  .filter(([, s]) => s.control)
  .map(([k]) => k as ControlKey);

/** An input's limits (every int and load input has them). */
export function limitsOf(name: InputName): Range {
  const l = inputSpec(name).limits;
  if (!l) throw new Error(`input ${name} has no limits`);
  return l;
}

/** An input's fixed default, of the type asked for. */
export function defaultOf(name: InputName, type: 'number'): number;
export function defaultOf(name: InputName, type: 'boolean'): boolean;
export function defaultOf(name: InputName, type: 'string'): string;
export function defaultOf(name: InputName, type: 'number' | 'boolean' | 'string'): number | boolean | string {
  const d = inputSpec(name).default;
  if (typeof d !== type) throw new Error(`input ${name} has no ${type} default`);
  return d!;
}

/** An enum input's values. */
export function valuesOf(name: InputName): readonly string[] {
  const v = inputSpec(name).values;
  if (!v) throw new Error(`input ${name} has no values`);
  return v;
}

/** The command line's flag of an input, as messages name it (`--db`); undefined: none. */
export function cliFlag(name: InputName): string | undefined {
  const c = inputSpec(name).cli;
  return c && (c.flag ?? `--${name}`);
}

/** The action.yml default of every input the action has. */
export function actionDefaults(): Record<string, string> {
  return Object.fromEntries(entries.filter(([, s]) => s.action).map(([k, s]) => [k, s.action!.default]));
}

/**
 * The forms of a switch with both forms (`--stop-slave`, `--stop-replica`; `--no-stop-slave`,
 * `--no-stop-replica`): its flag first, then its alias.
 */
export function switchForms(name: InputName): { on: string[]; off: string[] } {
  const c = inputSpec(name).cli;
  if (!c?.alias || c.arg) throw new Error(`input ${name} is not a switch with an alias`);
  const on = [cliFlag(name)!, c.alias];
  return { on, off: on.map((f) => `--no-${f.slice(2)}`) };
}

/** A flag as commander declares it: `-P, --port <port>`, `--no-set-read-only`. */
export function cliDeclaration(name: InputName): string {
  const c = inputSpec(name).cli;
  if (!c) throw new Error(`input ${name} has no flag`);
  const flag = c.negated ? `--no-${cliFlag(name)!.slice(2)}` : cliFlag(name)!;
  return `${c.short ? `${c.short}, ` : ''}${flag}${c.arg ? ` ${c.arg}` : ''}`;
}

/** An input's description with its default in it (the flush's help of its flag). */
export function inputHelp(name: InputName): string {
  const s = inputSpec(name);
  return s.description.replace('{default}', String(s.default));
}
