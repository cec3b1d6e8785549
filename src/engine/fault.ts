/**
 * Test-only fault injection: BINLOG_FLUSHER_FAULT=<point>[@<target>][:signal] makes the process
 * signal itself (SIGKILL, or the named signal) at that point:
 * - a pipeline point of a table (`mid-copy@shop.orders`; any table without a target);
 * - `journal@N`: right after the Nth record this process appended to the journal is on disk, that
 *   is between announcing a change and making it (flush and recover alike);
 * - `drop-twins`: just before the parked twins are dropped at the end of a flush;
 * - `replica-status`: recover's read of the replica status.
 * The signal `error` throws an error at that point instead (a transient failure of what runs there).
 */
export type FaultPoint =
  /** The twin's start is created under its parking name (not yet BLACKHOLE). */
  | 'after-shell'
  /** The twin is built, parked; the table is untouched. */
  | 'after-twin'
  | 'after-set-aside'
  /** The table's real DDL is under its name (logged), the twin still parked. */
  | 'after-ddl'
  /** The twin holds the real name; the shell is parked. */
  | 'after-twin-in'
  | 'mid-copy'
  | 'after-copy'
  | 'after-swap'
  | 'journal'
  | 'drop-twins'
  | 'replica-status';

export type FaultHook = (point: FaultPoint, t?: { schema: string; table: string }) => void | Promise<void>;

export function faultFromEnv(env: NodeJS.ProcessEnv): FaultHook | undefined {
  const spec = env.BINLOG_FLUSHER_FAULT;
  if (!spec) return undefined;
  const [where, sig] = spec.split(':');
  const [point, target] = (where ?? '').split('@');
  let fired = false;
  let records = 0;
  return (p, t) => {
    if (fired || p !== point) return;
    if (p === 'journal') {
      records += 1;
      if (records !== Number(target)) return;
    } else if (target && (!t || target !== `${t.schema}.${t.table}`)) return;
    fired = true;
    if (sig === 'error') throw new Error(`injected fault at ${p}: the server did not answer`);
    process.kill(process.pid, (sig as NodeJS.Signals | undefined) ?? 'SIGKILL');
  };
}
