/**
 * The command line: flags (the original tool's names, plus ours) -> one settings object -> the
 * engine -> printed result and exit code. No logic of its own.
 */
import { Command, CommanderError } from 'commander';
import {
  buildFlushSettings,
  buildRecoverSettings,
  buildVerifySettings,
  checkFlushPaths,
  refuseEmpty,
  type InputKey,
  type InputSource,
} from '../config/build.js';
import { namesFor } from '../model/input-names.js';
import { INPUT_KEYS, cliFlag, switchForms } from '../model/inputs.js';
import { resumeFromJournal } from '../config/resume.js';
import { ExitCode, FlusherError, InputError, PreflightError, errorText } from '../model/errors.js';
import { readJournal } from '../journal/journal.js';
import { saveManifest } from '../journal/manifest.js';
import { flush } from '../engine/flush.js';
import { recover, formatRecoverReport } from '../engine/recover.js';
import { formatReport, type RunReport } from '../engine/report.js';
import { faultFromEnv } from '../engine/fault.js';
import { redact, streamLogger, type Logger } from '../model/log.js';
import { DEFAULTS, type FlushSettings, type RecoverSettings } from '../model/settings.js';
import { VERSION } from '../model/tool-version.js';
import { liveStatus } from './live.js';
import { CliCommand, flushCommand, recoverCommand, verifyCommand } from './options.js';
import { formatVerifyReport, verify } from '../verify/verify.js';

interface Raw {
  host?: string;
  port?: string;
  user?: string;
  socket?: string;
  mycnf?: string;
  db?: string;
  table?: string;
  skip?: string;
  stopSlave?: boolean;
  startSlave?: boolean;
  stopReplica?: boolean;
  startReplica?: boolean;
  concurrency?: string;
  chunkSize?: string;
  ddl?: string;
  hashfile?: string;
  dryRun?: boolean;
  json?: boolean;
  allowPrimary?: boolean;
  allowDownstream?: boolean;
  rotateBinlog?: boolean;
  sslMode?: string;
  sslCa?: string;
  verbose?: boolean;
  /** `-p` alone gives true; refused either way (cliSource). */
  password?: string | boolean;
  timeout?: string;
  lockWait?: string;
  resume?: string;
  setReadOnly?: boolean;
  allowWriters?: boolean;
  stopOnError?: boolean;
  maxTablesAside?: string;
  pauseFile?: string;
  controlFile?: string;
  criticalLoad?: string;
  maxLoad?: string;
  maxRowsPerSecond?: string;
  maxLag?: string;
  window?: string;
  lagQuery?: string;
  statusInterval?: string;
  gtidDomainId?: string;
  gtidTag?: string;
  retentionMargin?: string;
  countsOnly?: boolean;
}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal?: AbortSignal;
  /** stderr is a terminal: the status line is drawn in place. */
  tty?: boolean;
}

/** commander's name of a flag's value: `--max-load` -> `maxLoad`. */
const fieldOf = (flag: string) => flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The applier's two settings: switches with two forms each, read in the order typed (switchValue). */
const SWITCHES = {
  'stop-replica': switchForms('stop-replica'),
  'start-replica': switchForms('start-replica'),
} as const;

/** What the command line calls each setting (the registry's flags), the applier's switches aside. */
const FLAGS: Partial<Record<InputKey, keyof Raw>> = Object.fromEntries(
  INPUT_KEYS.filter((k) => cliFlag(k) !== undefined && !(k in SWITCHES)).map((k) => [
    k,
    fieldOf(cliFlag(k)!) as keyof Raw,
  ]),
);
/** Every switch form given on a command line, in order (commander keeps only the last value). */
const typed = new WeakMap<Command, string[]>();

function trackSwitches(cmd: Command): Command {
  const seen: string[] = [];
  typed.set(cmd, seen);
  for (const forms of Object.values(SWITCHES)) {
    for (const flag of [...forms.on, ...forms.off]) cmd.on(`option:${flag.slice(2)}`, () => seen.push(flag));
  }
  return cmd;
}

/**
 * An applier switch from its forms: `--stop-slave` and `--stop-replica` are one switch, and saying
 * it both ways (`--stop-slave --no-stop-slave`) is refused; undefined when not given.
 */
function switchValue(cmd: Command, key: keyof typeof SWITCHES): boolean | undefined {
  const seen = typed.get(cmd) ?? [];
  const on = seen.filter((f) => SWITCHES[key].on.includes(f));
  const off = seen.filter((f) => SWITCHES[key].off.includes(f));
  if (on.length && off.length) {
    const [first, other] = seen.indexOf(on[0]!) < seen.indexOf(off[0]!) ? [on[0], off[0]] : [off[0], on[0]];
    throw new InputError(first!, `conflicts with ${other!}; give one of them`);
  }
  return on.length ? true : off.length ? false : undefined;
}

/** The command line as an input source of the shared settings builder. */
function cliSource(cmd: Command): InputSource {
  const raw = cmd.opts<Raw>();
  if (raw.password !== undefined) {
    throw new InputError(
      '-p/--password',
      'is not accepted on the command line (a password there shows in ps and the shell history; there is no prompt either): put it in the option file (--mycnf, [client] password=...) or in MYSQL_PWD',
    );
  }
  const names = namesFor('cli');
  for (const [key, field] of Object.entries(FLAGS) as [InputKey, keyof Raw][]) {
    const v = raw[field];
    if (typeof v === 'string' && cmd.getOptionValueSource(field) === 'cli') refuseEmpty(key, v, names);
  }
  const stop = switchValue(cmd, 'stop-replica');
  const start = switchValue(cmd, 'start-replica');
  return {
    get: (key) => {
      if (key === 'stop-replica') return String(stop ?? DEFAULTS.stopReplica);
      if (key === 'start-replica') return String(start ?? DEFAULTS.startReplica);
      const field = FLAGS[key];
      const v = field === undefined ? undefined : raw[field];
      return typeof v === 'boolean' ? String(v) : v;
    },
    names,
    chosen: (key) => {
      if (key === 'stop-replica') return stop !== undefined;
      if (key === 'start-replica') return start !== undefined;
      const field = FLAGS[key];
      return field !== undefined && cmd.getOptionValueSource(field) === 'cli';
    },
  };
}

export function flushSettingsFrom(cmd: Command, env: NodeJS.ProcessEnv): FlushSettings {
  const raw = cmd.opts<Raw>();
  const s = buildFlushSettings(cliSource(cmd), env, {
    dryRun: raw.dryRun === true,
    resumeFrom: raw.resume?.trim(),
  });
  checkFlushPaths(s);
  return s.resumeFrom ? resumeFromJournal(s, s.resumeFrom) : s;
}

export function recoverSettingsFrom(cmd: Command, env: NodeJS.ProcessEnv): RecoverSettings {
  return buildRecoverSettings(cliSource(cmd), env, { dryRun: cmd.opts<Raw>().dryRun === true });
}

/**
 * The manifest of a recovered run, next to its journal (none for the original tool's hashfile, or a
 * dry run). A manifest that cannot be written is a warning.
 */
function recoverManifest(s: RecoverSettings, warn: (text: string) => void): string | undefined {
  if (s.dryRun) return undefined;
  try {
    if (readJournal(s.hashfile).legacy) return undefined;
  } catch {
    return undefined;
  }
  return saveManifest(s.hashfile, warn);
}

function printResult(io: CliIo, json: boolean, data: unknown, text: string): void {
  io.stdout(redact(json ? JSON.stringify(data, null, 2) : text) + '\n');
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new CliCommand('binlog-flusher')
    .description('Write the rows a MySQL/MariaDB replica already holds into its binlog, for CDC backfills.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout(t), writeErr: (t) => io.stderr(redact(t)) })
    .showHelpAfterError('(run with --help for the flags)');
  const logFor = (raw: Raw): Logger => streamLogger({ verbose: raw.verbose, allToStderr: raw.json });

  trackSwitches(flushCommand(program)).action(async (_o, cmd: Command) => {
    const s = flushSettingsFrom(cmd, io.env);
    const raw = cmd.opts<Raw>();
    // On a terminal the status line is redrawn in place, every second.
    const live = io.tty && raw.json !== true && s.controls!.statusInterval > 0;
    if (live) s.controls!.statusInterval = 1;
    const base = logFor(raw);
    const { log, sink } = live
      ? liveStatus(base, (t) => io.stderr(redact(t)))
      : { log: base, sink: undefined };
    const report: RunReport = await flush(s, {
      log,
      status: sink,
      toolVersion: VERSION,
      signal: io.signal,
      fault: faultFromEnv(io.env),
    });
    printResult(io, raw.json === true, report, formatReport(report));
    setExit(report.exitCode);
  });

  trackSwitches(recoverCommand(program)).action(async (_o, cmd: Command) => {
    const s = recoverSettingsFrom(cmd, io.env);
    const raw = cmd.opts<Raw>();
    const log = logFor(raw);
    const report = await recover(s, { log, fault: faultFromEnv(io.env) });
    const manifest = recoverManifest(s, (w) => log.warn(w));
    const text = formatRecoverReport(report) + (manifest ? `\nManifest: ${manifest}` : '');
    printResult(io, raw.json === true, { ...report, manifest }, text);
    setExit(report.exitCode);
  });

  verifyCommand(program).action(async (_o, cmd: Command) => {
    const raw = cmd.opts<Raw>();
    const s = { ...buildVerifySettings(cliSource(cmd), io.env), countsOnly: raw.countsOnly === true };
    const report = await verify(s, logFor(raw));
    printResult(io, raw.json === true, report, formatVerifyReport(report));
    setExit(report.exitCode);
  });
  return program;
}

/**
 * What `--json` prints on stdout when the command ends without a result (bad input, a refused
 * preflight, an unexpected error): every exit of a `--json` run has one JSON object there.
 */
export function errorObject(e: unknown, exitCode: number): Record<string, unknown> {
  const base = { status: 'error', exitCode, message: e instanceof Error ? e.message : String(e) };
  if (e instanceof InputError) return { ...base, kind: 'input', input: e.input };
  if (e instanceof CommanderError) return { ...base, kind: 'input' };
  if (e instanceof PreflightError) return { ...base, kind: 'preflight', failures: e.failures };
  if (e instanceof FlusherError) return { ...base, kind: 'run' };
  return { ...base, kind: 'unexpected' };
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(io, (c) => (code = c));
  const json = argv.includes('--json');
  const fail = (e: unknown, exit: number, text?: string): number => {
    if (text !== undefined) io.stderr(redact(text) + '\n');
    if (json) io.stdout(redact(JSON.stringify(errorObject(e, exit), null, 2)) + '\n');
    return exit;
  };
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with 0; an unknown flag or a missing value with 2.
      return e.exitCode === 0 ? 0 : fail(e, ExitCode.badInput);
    }
    if (e instanceof PreflightError || e instanceof FlusherError)
      return fail(e, e.exitCode, `binlog-flusher: ${e.message}`);
    return fail(e, ExitCode.unexpected, `binlog-flusher: unexpected error: ${errorText(e)}`);
  }
}
