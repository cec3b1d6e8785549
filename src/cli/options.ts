/**
 * Each subcommand's flags and their help: exactly what the subcommand uses, described for what it
 * does with it. A flag a subcommand does not declare is refused by commander as unknown.
 */
import { Command, Option } from 'commander';
import { DEFAULTS, SSL_MODES } from '../model/settings.js';
import { optionNameOnly } from '../model/input-names.js';
import { cliDeclaration as flag, inputHelp, switchForms, type InputName } from '../model/inputs.js';

/** A flag declared from the registry, with its help (by default the registry's description). */
const option = (cmd: Command, name: InputName, help = inputHelp(name)): Command =>
  cmd.option(flag(name), help);

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
  option(cmd, 'host', `${host} (default: from --mycnf)`);
  option(cmd, 'port', `server port (default: from --mycnf, else ${DEFAULTS.port})`);
  option(cmd, 'user', `user (default: from --mycnf, else ${DEFAULTS.user})`);
  option(cmd, 'socket');
  option(
    cmd,
    'mycnf',
    'option file, read as the MySQL clients read it: its [client], [client-server], [client-mariadb] and [binlog-flusher] groups (default ~/.my.cnf)',
  );
  // Declared so that it is refused with its reason (program.ts), whatever follows it: `-p` alone,
  // `-psecret` and `--password x` alike; the value is never echoed.
  cmd.addOption(new Option(flag('password')).hideHelp());
  option(cmd, 'ssl-mode', `TLS: ${SSL_MODES.join(', ')} (default: VERIFY_CA with a CA, else DISABLED)`);
  return option(cmd, 'ssl-ca');
}

function output(cmd: Command): Command {
  return option(option(cmd, 'json'), 'verbose');
}

const lockWait = (cmd: Command) => option(cmd, 'lock-wait');

const statementTimeout = (cmd: Command) => option(cmd, 'timeout');

/** The applier switches; `what` describes each for the subcommand. */
function applier(
  cmd: Command,
  what: { stop: string; noStop: string; start: string; noStart: string },
): Command {
  const stop = switchForms('stop-replica');
  const start = switchForms('start-replica');
  cmd
    .option(stop.on[0]!, what.stop)
    .option(stop.off[0]!, what.noStop)
    .option(start.on[0]!, what.start)
    .option(start.off[0]!, what.noStart);
  for (const forms of [stop, start]) {
    cmd.option(forms.on[1]!, `alias of ${forms.on[0]}`).option(forms.off[1]!, `alias of ${forms.off[0]}`);
  }
  return cmd;
}

export function flushCommand(program: Command): Command {
  const cmd = program.command('flush').description('flush the selected tables into the binlog');
  connection(cmd, 'the replica to flush');
  for (const name of ['databases', 'tables', 'skip'] as const) option(cmd, name);
  applier(cmd, {
    stop: inputHelp('stop-replica'),
    noStop: 'do not stop the applier (refused while it runs)',
    start: inputHelp('start-replica'),
    noStart: 'leave the applier stopped at the end (default)',
  });
  statementTimeout(cmd);
  lockWait(cmd);
  flushOnly(cmd);
  return output(cmd);
}

/** The flags only `flush` takes, in the order its help lists them. */
const FLUSH_ONLY: readonly InputName[] = [
  'concurrency',
  'max-tables-aside',
  'pause-file',
  'control-file',
  'critical-load',
  'max-load',
  'max-rows-per-second',
  'max-lag',
  'window',
  'lag-query',
  'status-interval',
  'stop-on-error',
  'chunk-size',
  'ddl',
  'hashfile',
  'dry-run',
  'allow-primary',
  'allow-downstream',
  'rotate-binlog',
  'set-read-only',
  'allow-writers',
  'gtid-domain-id',
  'gtid-tag',
  'retention-margin',
  'resume',
];

function flushOnly(cmd: Command): Command {
  for (const name of FLUSH_ONLY) option(cmd, name);
  return cmd;
}

export function recoverCommand(program: Command): Command {
  const cmd = program
    .command('recover')
    .description('put back every table of a journal, from the live state; writes the manifest next to it');
  connection(cmd, 'the server the flush ran on');
  option(cmd, 'hashfile', 'the journal of the flush to recover (required)')
    .option(
      flag('databases'),
      "put back only the journal's tables of these schemas; for an original-tool hashfile, its schema (exactly one)",
    )
    .option(flag('tables'), "put back only these of the journal's tables, `table` or `schema.table`")
    .option(
      flag('skip'),
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
  option(cmd, 'dry-run', 'read the journal and connect; change nothing');
  return output(cmd);
}

export function verifyCommand(program: Command): Command {
  const cmd = program
    .command('verify')
    .description(
      "read the binlog between a run's coordinates and check it holds exactly what its journal says, and that each table holds exactly those rows; changes nothing",
    );
  connection(cmd, 'the server the flush ran on, whose binlog is read');
  option(cmd, 'hashfile', 'the journal of the flush to verify (required)');
  option(cmd, 'counts-only').option(
    flag('timeout'),
    'seconds to wait for the next binlog event before the read counts as stuck (at most 60, the default, are used)',
  );
  return output(cmd);
}
