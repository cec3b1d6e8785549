/**
 * `binlog-flusher verify --hashfile J`: reads the binlog between the run's coordinates over the
 * replication protocol and checks it against the journal (check.ts). Changes nothing on the server.
 */
import { ExitCode, FlusherError } from '../errors.js';
import { readJournal } from '../journal/journal.js';
import { buildManifest, type Manifest } from '../journal/manifest.js';
import type { Logger } from '../log.js';
import type { ConnectionSettings } from '../settings.js';
import { checkRange, type Verdict } from './check.js';
import { readRange } from './reader.js';

export interface VerifySettings {
  connection: ConnectionSettings;
  hashfile: string;
  /** Seconds without a binlog event before the read counts as stuck. */
  timeout: number;
}

export interface VerifyReport extends Verdict {
  status: 'verified' | 'mismatch';
  exitCode: ExitCode;
  hashfile: string;
  binlog: Manifest['binlog'];
}

export async function verify(s: VerifySettings, log: Logger): Promise<VerifyReport> {
  const m = buildManifest(readJournal(s.hashfile));
  const { start, end } = m.binlog;
  if (!start || !end) {
    throw new FlusherError(
      `--hashfile: ${s.hashfile} has no binlog range (the run ended before its end coordinates were journaled, or an older version wrote it); nothing to verify`,
      ExitCode.badInput,
    );
  }
  log.info(`reading the binlog from ${start.file}:${start.position} to ${end.file}:${end.position}`);
  const events = await readRange(s.connection, start, end, Math.min(s.timeout, 60));
  const v = checkRange(m, events, m.run.ddl !== 'none');
  return {
    ...v,
    status: v.ok ? 'verified' : 'mismatch',
    exitCode: v.ok ? ExitCode.ok : ExitCode.verifyFailed,
    hashfile: s.hashfile,
    binlog: m.binlog,
  };
}

export function formatVerifyReport(r: VerifyReport): string {
  const rows = r.tables.map((t) => [
    `${t.schema}.${t.table}`,
    String(t.expected),
    String(t.found),
    t.problems.length ? `MISMATCH: ${t.problems.join('; ')}` : 'ok',
  ]);
  const head = ['table', 'journal rows', 'binlog rows', 'result'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (x: string[]) =>
    x
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(width[i]!) : c.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    `Binlog ${r.binlog.start!.file}:${r.binlog.start!.position} .. ${r.binlog.end!.file}:${r.binlog.end!.position}: ${r.events} statements and row events`,
    line(head),
    ...rows.map(line),
  ];
  if (r.foreign.length) {
    out.push("Events in the range that are no flushed table's:");
    for (const f of r.foreign)
      out.push(`  ${f.what} (${f.count} event${f.count === 1 ? '' : 's'}, first at ${f.first})`);
  }
  out.push(`Result: ${r.status}`);
  return out.join('\n');
}
