/**
 * The command line: flags (the original tool's names, plus ours) -> one settings object -> the
 * engine -> printed result and exit code. No logic of its own.
 */
import { userInfo } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { readMyCnf } from '../config/mycnf.js';
import { ExitCode, FlusherError, InputError, PreflightError, errorText } from '../errors.js';
import { flush } from '../engine/flush.js';
import { recover, formatRecoverReport } from '../engine/recover.js';
import { formatReport, type RunReport } from '../engine/report.js';
import { faultFromEnv } from '../engine/fault.js';
import { addSecret, redact, streamLogger, type Logger } from '../log.js';
import {
  DEFAULTS,
  LIMITS,
  SSL_MODES,
  checkHost,
  parseEnumInput,
  parseIntInput,
  parseSchemas,
  parseTables,
  validateSelection,
  type ConnectionSettings,
  type FlushSettings,
  type RecoverSettings,
  type ReplicationSettings,
  type Selection,
} from '../settings.js';
import { VERSION } from '../version.js';

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
}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  signal?: AbortSignal;
}

export function connectionFrom(raw: Raw, env: NodeJS.ProcessEnv): ConnectionSettings {
  if (raw.password !== undefined) {
    throw new InputError(
      '--password',
      'is not accepted on the command line (it would show in ps and shell history); put it in --mycnf or MYSQL_PWD',
    );
  }
  const cnf = readMyCnf(raw.mycnf);
  const socket = raw.socket ?? (raw.host ? undefined : cnf.socket);
  const host = socket && !raw.host && !cnf.host ? 'localhost' : checkHost('--host', raw.host ?? cnf.host);
  const password = cnf.password ?? env.MYSQL_PWD;
  addSecret(password);
  return {
    host,
    port: parseIntInput(
      raw.port !== undefined ? '--port' : '--mycnf port',
      raw.port ?? cnf.port,
      DEFAULTS.port,
      LIMITS.port,
    ),
    user: raw.user ?? cnf.user ?? userInfo().username,
    password,
    socket,
    ssl: {
      mode: parseEnumInput(
        '--ssl-mode',
        raw.sslMode ?? cnf['ssl-mode'],
        (raw.sslCa ?? cnf['ssl-ca']) ? 'VERIFY_CA' : 'DISABLED',
        SSL_MODES,
      ),
      ca: raw.sslCa ?? cnf['ssl-ca'],
      cert: cnf['ssl-cert'],
      key: cnf['ssl-key'],
    },
  };
}

function selectionFrom(raw: Raw): Selection {
  return validateSelection({
    databases: parseSchemas('--db', raw.db),
    tables: parseTables('--table', raw.table),
    skip: parseSchemas('--skip', raw.skip),
  });
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
  const s: FlushSettings = {
    connection: connectionFrom(raw, env),
    selection: selectionFrom(raw),
    replication: replicationFrom(cmd),
    concurrency: parseIntInput('--concurrency', raw.concurrency, DEFAULTS.concurrency, LIMITS.concurrency),
    chunkSize: parseIntInput('--chunk-size', raw.chunkSize, DEFAULTS.chunkSize, LIMITS.chunkSize),
    ddl: parseEnumInput('--ddl', raw.ddl, DEFAULTS.ddl, ['create', 'none'] as const),
    hashfile: raw.hashfile,
    dryRun: raw.dryRun === true,
    allowPrimary: raw.allowPrimary === true,
    allowDownstream: raw.allowDownstream === true,
    rotateBinlog: raw.rotateBinlog === true,
    timeout: parseIntInput('--timeout', raw.timeout, DEFAULTS.timeout, LIMITS.timeout),
    resumeFrom: raw.resume,
    lockWait: parseIntInput('--lock-wait', raw.lockWait, DEFAULTS.lockWait, LIMITS.lockWait),
    setReadOnly: raw.setReadOnly ?? DEFAULTS.setReadOnly,
    allowWriters: raw.allowWriters === true,
    stopOnError: raw.stopOnError === true,
  };
  if (raw.resume !== undefined && raw.resume.trim() === '')
    throw new InputError('--resume', 'is empty; give the journal of the earlier run');
  if (s.replication.startReplica && !s.replication.stopReplica) {
    throw new InputError(
      '--start-slave',
      'conflicts with --no-stop-slave: the applier is only started again after we stopped it',
    );
  }
  if (raw.hashfile !== undefined && raw.hashfile.trim() === '')
    throw new InputError('--hashfile', 'is empty; give a file path');
  return s;
}

export function recoverSettingsFrom(cmd: Command, env: NodeJS.ProcessEnv): RecoverSettings {
  const raw = cmd.opts<Raw>();
  if (!raw.hashfile || raw.hashfile.trim() === '') {
    throw new InputError('--hashfile', 'is required: the journal written by the flush to recover');
  }
  return {
    connection: connectionFrom(raw, env),
    selection: selectionFrom(raw),
    replication: replicationFrom(cmd),
    hashfile: raw.hashfile,
    dryRun: raw.dryRun === true,
    timeout: parseIntInput('--timeout', raw.timeout, DEFAULTS.timeout, LIMITS.timeout),
    lockWait: parseIntInput('--lock-wait', raw.lockWait, DEFAULTS.lockWait, LIMITS.lockWait),
  };
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--host <host>', 'the replica to flush')
    .option('--port <port>', 'server port (default 3306)')
    .option('--user <user>', 'user (default: from --mycnf, else your login name)')
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

  connectionOptions(program.command('flush').description('flush the selected tables into the binlog'))
    .option('--concurrency <n>', `tables worked on at once (default ${DEFAULTS.concurrency})`)
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
      'leave read_only OFF during the run (default: turned ON, and back at the end): writes by other sessions into set-aside tables are then not refused',
    )
    .option('--allow-writers', 'run although enabled events that write into the selected tables were found')
    .option(
      '--resume <hashfile>',
      'after a failed run was recovered: flush only the tables its journal does not show finished',
    )
    .action(async (_o, cmd: Command) => {
      const s = flushSettingsFrom(cmd, io.env);
      const raw = cmd.opts<Raw>();
      const log = logFor(raw);
      const report: RunReport = await flush(s, {
        log,
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
