/**
 * Each subcommand's flags and their help: exactly what the subcommand uses, described for what it
 * does with it. A flag a subcommand does not declare is refused by commander as unknown.
 */
import { Command, Option } from 'commander';
import { DEFAULTS, SSL_MODES } from '../model/settings.js';
import { optionNameOnly } from '../model/input-names.js';

/**
 * The program's commands. Commander's unknown-option error is given the option's name only: a value
 * typed onto a flag (`-psecret`, `--pass=secret`) is never echoed into a log.
 */
export class CliCommand extends Command {
  /**
   * Help is `--help` alone: `-h` is the host, as in the MySQL clients (a script that says
   * `-h db1` must never get the help and exit 0).
   */
  constructor(name?: string) {
    super(name);
    this.helpOption('--help', 'display help for command');
  }

  override createCommand(name?: string): Command {
    return new CliCommand(name);
  }

  unknownOption(flag: string): void {
    const base = Command.prototype as unknown as { unknownOption(this: Command, f: string): void };
    base.unknownOption.call(this, optionNameOnly(flag));
  }
}

/** How to reach the server, for every subcommand; `host`: what the server is to this subcommand. */
function connection(cmd: Command, host: string): Command {
  return (
    cmd
      .option('-h, --host <host>', `${host} (default: from --mycnf)`)
      .option('-P, --port <port>', 'server port (default: from --mycnf, else 3306)')
      .option('-u, --user <user>', `user (default: from --mycnf, else ${DEFAULTS.user})`)
      .option('-S, --socket <path>', 'Unix socket of a server on this host, instead of --host and --port')
      .option(
        '--mycnf <file>',
        'option file, read as the MySQL clients read it: its [client], [client-server], [client-mariadb] and [binlog-flusher] groups (default ~/.my.cnf)',
      )
      // Declared so that it is refused with its reason (program.ts), whatever follows it: `-p` alone,
      // `-psecret` and `--password x` alike; the value is never echoed.
      .addOption(new Option('-p, --password [password]').hideHelp())
      .option(
        '--ssl-mode <mode>',
        `TLS: ${SSL_MODES.join(', ')} (default: VERIFY_CA with a CA, else DISABLED)`,
      )
      .option('--ssl-ca <file>', 'CA certificate (PEM) to verify the server with')
  );
}

function output(cmd: Command): Command {
  return cmd
    .option('--json', 'print the result as JSON on stdout (logs go to stderr)')
    .option('--verbose', 'more log lines');
}

const lockWait = (cmd: Command) =>
  cmd.option(
    '--lock-wait <seconds>',
    `how long to wait for another run (flush or recover) on this server to finish (default ${DEFAULTS.lockWait})`,
  );

const statementTimeout = (cmd: Command) =>
  cmd.option(
    '--timeout <seconds>',
    `longest a statement may take before the server counts as not answering (default ${DEFAULTS.timeout})`,
  );

/** The applier switches; `what` describes each for the subcommand. */
function applier(
  cmd: Command,
  what: { stop: string; noStop: string; start: string; noStart: string },
): Command {
  return cmd
    .option('--stop-slave', what.stop)
    .option('--no-stop-slave', what.noStop)
    .option('--start-slave', what.start)
    .option('--no-start-slave', what.noStart)
    .option('--stop-replica', 'alias of --stop-slave')
    .option('--no-stop-replica', 'alias of --no-stop-slave')
    .option('--start-replica', 'alias of --start-slave')
    .option('--no-start-replica', 'alias of --no-start-slave');
}

export function flushCommand(program: Command): Command {
  const cmd = program.command('flush').description('flush the selected tables into the binlog');
  connection(cmd, 'the replica to flush');
  cmd
    .option('--db <list>', 'comma-separated schemas (default: all but system schemas)')
    .option('--table <list>', 'comma-separated tables, `table` or `schema.table`')
    .option('--skip <list>', 'comma-separated schemas (`schema`) and tables (`schema.table`) to leave out');
  applier(cmd, {
    stop: 'stop the replica applier first (default)',
    noStop: 'do not stop the applier (refused while it runs)',
    start: 'start the applier again at the end',
    noStart: 'leave the applier stopped at the end (default)',
  });
  statementTimeout(cmd);
  lockWait(cmd);
  flushOnly(cmd);
  return output(cmd);
}

/** The flags only `flush` takes. */
function flushOnly(cmd: Command): Command {
  return cmd
    .option(
      '--concurrency <n>',
      `worker sessions; several copy one big table at once (default ${DEFAULTS.concurrency})`,
    )
    .option('--max-tables-aside <n>', 'most tables set aside at once (default: --concurrency)')
    .option('--pause-file <file>', 'no new chunk starts, and no table is set aside, while this file exists')
    .option(
      '--control-file <file>',
      'live control: append status, pause, resume, throttle <setting>=<value>, abort (answers in <file>.answers)',
    )
    .option(
      '--critical-load <status=limit>',
      `end the run (every table put back) once a server status is over a limit, e.g. ${DEFAULTS.brakeStatus}=80`,
    )
    .option(
      '--max-load <status=limit>',
      `no new chunk starts while a server status (SHOW GLOBAL STATUS) is over a limit, e.g. ${DEFAULTS.brakeStatus}=25`,
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
    .option(
      '--hashfile <file>',
      'journal path, a new file (default: binlog-flusher-<host>-<time>.hashfile in the working directory)',
    )
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
      "after a failed run was recovered: flush only the tables its journal does not show finished, with that run's selection and settings",
    );
}

export function recoverCommand(program: Command): Command {
  const cmd = program
    .command('recover')
    .description('put back every table of a journal, from the live state; writes the manifest next to it');
  connection(cmd, 'the server the flush ran on');
  cmd
    .option('--hashfile <file>', 'the journal of the flush to recover (required)')
    .option(
      '--db <list>',
      "put back only the journal's tables of these schemas; for an original-tool hashfile, its schema (exactly one)",
    )
    .option('--table <list>', "put back only these of the journal's tables, `table` or `schema.table`")
    .option(
      '--skip <list>',
      "leave the journal's tables of these schemas (`schema`) and these tables (`schema.table`) as they are",
    );
  applier(cmd, {
    stop: 'stop a running replica applier before putting tables back (default)',
    noStop: 'leave a running applier running (replicated writes into a table still set aside are lost)',
    start: 'start the applier once every table is back',
    noStart: 'leave the applier as it is at the end (default)',
  });
  statementTimeout(cmd);
  lockWait(cmd);
  cmd.option('--dry-run', 'read the journal and connect; change nothing');
  return output(cmd);
}

export function verifyCommand(program: Command): Command {
  const cmd = program
    .command('verify')
    .description(
      "read the binlog between a run's coordinates and check it holds exactly what its journal says, and that each table holds exactly those rows; changes nothing",
    );
  connection(cmd, 'the server the flush ran on, whose binlog is read');
  cmd
    .option('--hashfile <file>', 'the journal of the flush to verify (required)')
    .option('--counts-only', "compare row counts only; do not read the tables' rows")
    .option(
      '--timeout <seconds>',
      'seconds to wait for the next binlog event before the read counts as stuck (at most 60, the default, are used)',
    );
  return output(cmd);
}
