/**
 * Test-only fault injection: BINLOG_FLUSHER_FAULT=<point>[@schema.table][:signal] makes the process
 * kill itself (SIGKILL, or the named signal) when a table reaches that point of its pipeline.
 */
import type { FaultPoint } from './table-flush.js';

export function faultFromEnv(
  env: NodeJS.ProcessEnv,
): ((p: FaultPoint, t: { schema: string; table: string }) => void) | undefined {
  const spec = env.BINLOG_FLUSHER_FAULT;
  if (!spec) return undefined;
  const [where, sig] = spec.split(':');
  const [point, target] = (where ?? '').split('@');
  let fired = false;
  return (p, t) => {
    if (fired || p !== point || (target && target !== `${t.schema}.${t.table}`)) return;
    fired = true;
    process.kill(process.pid, (sig as NodeJS.Signals | undefined) ?? 'SIGKILL');
  };
}
