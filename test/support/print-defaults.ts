/**
 * The servers' own option-file reader, `my_print_defaults`, of the flavour BF_SANDBOX names: on
 * PATH for `local`, inside the flavour's root (run with chroot) for `mysql` and `mariadb-lts`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  binariesFor,
  findBinary,
  hostCommand,
  inside,
  isLocalKind,
  sandboxParent,
} from '../sandbox/binaries.js';

export interface PrintDefaults {
  kind: 'local' | 'mysql' | 'mariadb-lts';
  /** where a case's folder goes on the host */
  parent: string;
  /** a host path as the reader sees it */
  inside(hostPath: string): string;
  /** my_print_defaults --defaults-file=FILE GROUPS..., run from `cwd` (host paths) */
  run(
    file: string,
    groups: readonly string[],
    cwd: string,
  ): { status: number; stdout: Buffer; stderr: string };
  /**
   * The variables the flavour's command-line client (mariadb or mysql) ends up with after reading
   * FILE, from the table its --help prints; a string says why there is no client to ask.
   */
  clientVariables(file: string): Map<string, string> | string;
}

/** The "Variables (--variable-name=value)" table of a client's --help. */
function variablesOf(help: string): Map<string, string> {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Variables (--variable-name=value)'));
  const out = new Map<string, string>();
  for (const l of lines.slice(start + 2)) {
    const m = /^(\S+)\s+(.*)$/.exec(l);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

/** The reader, or why there is none here. */
export function printDefaults(): PrintDefaults | string {
  const kind = process.env.BF_SANDBOX ?? 'local';
  if (!isLocalKind(kind)) return `BF_SANDBOX=${kind} runs no flavour binaries here`;
  let bin: { chroot?: string };
  let program: string;
  let client: string | undefined;
  if (kind === 'local') {
    client = findBinary(['mariadb', 'mysql']);
    const found = findBinary(['my_print_defaults']);
    if (!found) return 'my_print_defaults is not on PATH (it comes with the MariaDB or MySQL server package)';
    bin = {};
    program = found;
  } else {
    bin = binariesFor(kind);
    program = '/usr/bin/my_print_defaults';
    if (!existsSync(join(bin.chroot!, program)))
      return `${kind}: ${program} is not in the root ${bin.chroot}`;
    client = ['/usr/bin/mariadb', '/usr/bin/mysql'].find((p) => existsSync(join(bin.chroot!, p)));
  }
  const cmd = (args: string[]) => hostCommand(bin, 'env', args);
  const help = cmd([program, '--help']);
  // MySQL's hides passwords unless told --show; MariaDB's has no such option and shows them.
  const show = execFileSync(help.binary, help.args, { encoding: 'utf8' }).includes('--show')
    ? ['--show']
    : [];
  return {
    kind,
    parent: bin.chroot ? sandboxParent(bin) : tmpdir(),
    inside: (p) => inside(bin, p),
    run(file, groups, cwd) {
      const c = cmd([
        `--chdir=${inside(bin, cwd)}`,
        program,
        `--defaults-file=${inside(bin, file)}`,
        ...show,
        ...groups,
      ]);
      const r = spawnSync(c.binary, c.args, { encoding: 'buffer' });
      return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
    },
    clientVariables(file) {
      if (!client) return `${kind} has no mariadb or mysql command-line client`;
      const c = cmd([client, `--defaults-file=${inside(bin, file)}`, '--help']);
      const r = spawnSync(c.binary, c.args, { encoding: 'utf8' });
      if (r.status !== 0) return `${client} --help exited ${r.status}: ${r.stderr}`;
      return variablesOf(r.stdout);
    },
  };
}
