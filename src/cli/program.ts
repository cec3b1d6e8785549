/**
 * The command line: flags (the original tool's names, plus ours) -> one settings object -> the
 * engine -> printed result and exit code. No logic of its own.
 */
import { Command, CommanderError, Option } from 'commander';
import {
  buildFlushSettings,
  buildRecoverSettings,
  buildVerifySettings,
  type InputKey,
  type InputSource,
} from '../config/build.js';
import { ExitCode, FlusherError, InputError, PreflightError, errorText } from '../errors.js';
import { flush } from '../engine/flush.js';
import { recover, formatRecoverReport } from '../engine/recover.js';
import { formatReport, type RunReport } from '../engine/report.js';
import { faultFromEnv } from '../engine/fault.js';
import { redact, streamLogger, type Logger } from '../log.js';
import {
  DEFAULTS,
  SSL_MODES,
  type FlushSettings,
  type RecoverSettings,
  type ReplicationSettings,
} from '../settings.js';
import { VERSION } from '../version.js';
import { liveStatus } from './live.js';
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
  password?: string;
  timeout?: string;
  lockWait?: string;
  resume?: string;
  setReadOnly?: boolean;
  allowWriters?: boolean;
  stopOnError?: boolean;
  maxTablesAside?: string;
  pauseFile?: string;
  maxLoad?: string;
  maxRowsPerSecond?: string;
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

/** What the command line calls each setting. */
const FLAGS: Partial<Record<InputKey, keyof Raw>> = {
  host: 'host',
  port: 'port',
  user: 'user',
  password: 'password',
  socket: 'socket',
  mycnf: 'mycnf',
  'ssl-mode': 'sslMode',
  'ssl-ca': 'sslCa',
  databases: 'db',
  tables: 'table',
  skip: 'skip',
  concurrency: 'concurrency',
  'chunk-size': 'chunkSize',
  ddl: 'ddl',
  hashfile: 'hashfile',
  'allow-primary': 'allowPrimary',
  'allow-downstream': 'allowDownstream',
  'rotate-binlog': 'rotateBinlog',
  timeout: 'timeout',
  'lock-wait': 'lockWait',
  'set-read-only': 'setReadOnly',
  'allow-writers': 'allowWriters',
  'stop-on-error': 'stopOnError',
  'max-tables-aside': 'maxTablesAside',
  'pause-file': 'pauseFile',
  'max-load': 'maxLoad',
  'max-rows-per-second': 'maxRowsPerSecond',
  'status-interval': 'statusInterval',
  'gtid-domain-id': 'gtidDomainId',
  'gtid-tag': 'gtidTag',
  'retention-margin': 'retentionMargin',
};
const FLAG_NAMES: Partial<Record<InputKey, string>> = {
  databases: '--db',
  tables: '--table',
  'stop-replica': '--stop-slave',
  'start-replica': '--start-slave',
};

/** The command line as an input source of the shared settings builder. */
function cliSource(cmd: Command): InputSource {
  const raw = cmd.opts<Raw>();
  if (raw.password !== undefined) {
    throw new InputError(
      '--password',
      'is not accepted on the command line (it would show in ps and shell history); put it in --mycnf or MYSQL_PWD',
    );
  }
  const replication = replicationFrom(cmd);
  return {
    get: (key) => {
      if (key === 'stop-replica') return String(replication.stopReplica);
      if (key === 'start-replica') return String(replication.startReplica);
      const field = FLAGS[key];
      const v = field === undefined ? undefined : raw[field];
      return typeof v === 'boolean' ? String(v) : v;
    },
    name: (key) => FLAG_NAMES[key] ?? `--${key}`,
    off: (key) => `--no-${(FLAG_NAMES[key] ?? `--${key}`).slice(2)}`,
  };
}

/** --stop-slave/--stop-replica are one switch; saying both ways is an error. */
function pick(
  cmd: Command,
  a: keyof Raw,
  b: keyof Raw,
  flagA: string,
  flagB: string,
  fallback: boolean,
): boolean {
  const raw = cmd.opts<Raw>();
  const given = [a, b].filter((k) => cmd.getOptionValueSource(k) === 'cli');
  const values = given.map((k) => raw[k] as boolean);
  if (values.length === 2 && values[0] !== values[1]) {
    throw new InputError(
      `--${flagA}`,
      `conflicts with --${values[1] ? '' : 'no-'}${flagB}; give one of them`,
    );
  }
  return values.length ? values[0]! : fallback;
}

function replicationFrom(cmd: Command): ReplicationSettings {
  return {
    stopReplica: pick(cmd, 'stopSlave', 'stopReplica', 'stop-slave', 'stop-replica', DEFAULTS.stopReplica),
    startReplica: pick(
      cmd,
      'startSlave',
      'startReplica',
      'start-slave',
      'start-replica',
      DEFAULTS.startReplica,
    ),
  };
}

export function flushSettingsFrom(cmd: Command, env: NodeJS.ProcessEnv): FlushSettings {
  const raw = cmd.opts<Raw>();
  if (raw.resume !== undefined && raw.resume.trim() === '')
    throw new InputError('--resume', 'is empty; give the journal of the earlier run');
  return buildFlushSettings(cliSource(cmd), env, { dryRun: raw.dryRun === true, resumeFrom: raw.resume });
}

export function recoverSettingsFrom(cmd: Command, env: NodeJS.ProcessEnv): RecoverSettings {
  return buildRecoverSettings(cliSource(cmd), env, { dryRun: cmd.opts<Raw>().dryRun === true });
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'the replica to flush')
    .option('--port <port>', 'server port (default 3306)')
    .option('--user <user>', `user (default: from --mycnf, else ${DEFAULTS.user})`)
    .option('--socket <path>', 'Unix socket instead of host and port')
    .option('--mycnf <file>', 'option file with [client] user and password (default ~/.my.cnf)')
    .addOption(new Option('--password <password>').hideHelp())
    .option('--ssl-mode <mode>', `TLS: ${SSL_MODES.join(', ')}`)
    .option('--ssl-ca <file>', 'CA certificate (PEM) to verify the server with')
    .option('--db <list>', 'comma-separated schemas (default: all but system schemas)')
    .option('--table <list>', 'comma-separated tables, `table` or `schema.table`')
    .option('--skip <list>', 'comma-separated schemas to leave out')
    .option('--stop-slave', 'stop the replica applier first (default)')
    .option('--no-stop-slave', 'do not stop the applier (refused while it runs)')
    .option('--start-slave', 'start the applier again at the end')
    .option('--no-start-slave', 'leave the applier stopped at the end (default)')
    .option('--stop-replica', 'alias of --stop-slave')
    .option('--no-stop-replica', 'alias of --no-stop-slave')
    .option('--start-replica', 'alias of --start-slave')
    .option('--no-start-replica', 'alias of --no-start-slave')
    .option(
      '--timeout <seconds>',
      `longest a statement may take before the server counts as not answering (default ${DEFAULTS.timeout})`,
    )
    .option(
      '--lock-wait <seconds>',
      `how long to wait for another run (flush or recover) on this server to finish (default ${DEFAULTS.lockWait})`,
    )
    .option('--json', 'print the result as JSON on stdout (logs go to stderr)')
    .option('--verbose', 'more log lines');
}

/** The flags only `flush` takes. */
function flushOptions(cmd: Command): Command {
  return cmd
    .option(
      '--concurrency <n>',
      `worker sessions; several copy one big table at once (default ${DEFAULTS.concurrency})`,
    )
    .option('--max-tables-aside <n>', 'most tables set aside at once (default: --concurrency)')
    .option('--pause-file <file>', 'no new chunk starts while this file exists')
    .option(
      '--max-load <status=limit>',
      `no new chunk starts while a server status is over a limit, e.g. ${DEFAULTS.brakeStatus}=25`,
    )
    .option('--max-rows-per-second <n>', 'copy at most this many rows per second')
    .option(
      '--status-interval <seconds>',
      `seconds between status lines, 0 for none (default ${DEFAULTS.statusInterval})`,
    )
    .option('--stop-on-error', 'end the run at the first table that fails (default: put it back, go on)')
    .option('--chunk-size <rows>', `rows per binlog transaction (default ${DEFAULTS.chunkSize})`)
    .option(
      '--ddl <mode>',
      "create: log each table's CREATE TABLE before its rows (default); none: rows only",
    )
    .option('--hashfile <file>', 'journal path (default: binlog-flusher-<host>-<time>.hashfile)')
    .option('--dry-run', 'run the preflight and print the plan; change nothing')
    .option('--allow-primary', 'run even though the server is not a replica')
    .option('--allow-downstream', "run even though replicas read this server's binlog")
    .option('--rotate-binlog', 'start a new binlog file first (FLUSH BINARY LOGS)')
    .option(
      '--no-set-read-only',
      'leave read_only and super_read_only as they are (default: read_only turned ON, or on MySQL super_read_only turned OFF with read_only kept ON, and back at the end): writes by other sessions into set-aside tables are then not refused, and a server with super_read_only ON is refused',
    )
    .option('--allow-writers', 'run although enabled events that write into the selected tables were found')
    .option(
      '--gtid-domain-id <n>',
      "MariaDB: write the flush's transactions in this GTID domain, so other servers can ignore them",
    )
    .option('--gtid-tag <tag>', "MySQL 8.3+: tag the flush's GTIDs (uuid:tag:n), so they can be told apart")
    .option(
      '--retention-margin <hours>',
      `warn when the binlog expires less than this long after the run's estimated end (default ${DEFAULTS.retentionMarginHours})`,
    )
    .option(
      '--resume <hashfile>',
      'after a failed run was recovered: flush only the tables its journal does not show finished',
    );
}

function printResult(io: CliIo, json: boolean, data: unknown, text: string): void {
  io.stdout(redact(json ? JSON.stringify(data, null, 2) : text) + '\n');
}

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('binlog-flusher')
    .description('Write the rows a MySQL/MariaDB replica already holds into its binlog, for CDC backfills.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout(t), writeErr: (t) => io.stderr(redact(t)) })
    .showHelpAfterError('(run with --help for the flags)');
  const logFor = (raw: Raw): Logger => streamLogger({ verbose: raw.verbose, allToStderr: raw.json });

  flushOptions(
    connectionOptions(program.command('flush').description('flush the selected tables into the binlog')),
  ).action(async (_o, cmd: Command) => {
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

  connectionOptions(
    program.command('recover').description('put back every table of a journal, from the live state'),
  )
    .option('--hashfile <file>', 'the journal of the flush to recover (required)')
    .option('--dry-run', 'read the journal and connect; change nothing')
    .action(async (_o, cmd: Command) => {
      const s = recoverSettingsFrom(cmd, io.env);
      const raw = cmd.opts<Raw>();
      const report = await recover(s, { log: logFor(raw), fault: faultFromEnv(io.env) });
      printResult(io, raw.json === true, report, formatRecoverReport(report));
      setExit(report.exitCode);
    });
  connectionOptions(
    program
      .command('verify')
      .description(
        "read the binlog between a run's coordinates and check it holds exactly what its journal says, and that each table holds exactly those rows",
      ),
  )
    .option('--hashfile <file>', 'the journal of the flush to verify (required)')
    .option('--counts-only', "compare row counts only; do not read the tables' rows")
    .action(async (_o, cmd: Command) => {
      const raw = cmd.opts<Raw>();
      const s = { ...buildVerifySettings(cliSource(cmd), io.env), countsOnly: raw.countsOnly === true };
      const report = await verify(s, logFor(raw));
      printResult(io, raw.json === true, report, formatVerifyReport(report));
      setExit(report.exitCode);
    });
  return program;
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : ExitCode.badInput;
    }
    if (e instanceof PreflightError || e instanceof FlusherError) {
      io.stderr(redact(`binlog-flusher: ${e.message}`) + '\n');
      return e.exitCode;
    }
    io.stderr(redact(`binlog-flusher: unexpected error: ${errorText(e)}`) + '\n');
    return ExitCode.unexpected;
  }
}
