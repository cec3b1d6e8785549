/**
 * Server settings a run changes for its duration: today read_only, turned ON so that other sessions'
 * writes into set-aside tables are refused instead of vanishing into a twin. The change is written
 * to the journal before it is made; it is put back only once no table is set aside (by the flush
 * itself, else by `recover`), so whatever a crash leaves is the safe side: read-only.
 */
import type { Db } from '../db/connection.js';
import type { JournalWriter, ServerSetting } from '../journal/journal.js';
import type { Logger } from '../log.js';
import type { Applier } from './applier.js';

export interface SettingReport {
  name: ServerSetting;
  from: string;
  to: string;
  /** restored: put back by us; already: it was back already; changed: someone set another value since. */
  outcome: 'held' | 'restored' | 'already' | 'changed';
}

const at = () => new Date().toISOString();

async function readOnlyNow(db: Db): Promise<string> {
  const v = (await db.one('SELECT @@GLOBAL.read_only AS v'))?.v;
  return ['1', 'ON'].includes(String(v).toUpperCase()) ? 'ON' : 'OFF';
}

/** Turn read_only ON for the run; undefined when it already was. */
export async function holdReadOnly(
  apply: Applier,
  journal: JournalWriter,
  log: Logger,
): Promise<SettingReport | undefined> {
  const from = await readOnlyNow(apply.db);
  if (from === 'ON') return undefined;
  await journal.write({ type: 'setting', name: 'read_only', from, to: 'ON', at: at() });
  await apply.setReadOnly(true);
  log.info('read_only turned ON for the run: other sessions cannot write into set-aside tables');
  return { name: 'read_only', from, to: 'ON', outcome: 'held' };
}

/** Put back what the run changed (only call once no table is set aside). */
export async function putBackSettings(
  apply: Applier,
  changed: { name: ServerSetting; from: string; to: string }[],
  journal: JournalWriter | undefined,
  log: Logger,
): Promise<SettingReport[]> {
  const out: SettingReport[] = [];
  for (const c of changed) {
    const now = await readOnlyNow(apply.db);
    let outcome: SettingReport['outcome'];
    if (now === c.to) {
      await apply.setReadOnly(c.from === 'ON');
      outcome = 'restored';
      log.info(`${c.name} put back to ${c.from}`);
    } else if (now === c.from) {
      outcome = 'already';
    } else {
      outcome = 'changed';
      log.warn(`${c.name} is ${now}, not the ${c.to} the run set: changed by someone since; left as it is`);
    }
    await journal?.write({
      type: 'setting-restored',
      name: c.name,
      value: outcome === 'changed' ? now : c.from,
      at: at(),
    });
    out.push({ ...c, outcome });
  }
  return out;
}

export function describeSetting(s: SettingReport): string {
  switch (s.outcome) {
    case 'held':
      return `${s.name}: turned ${s.to} for the run; still ${s.to} (recover puts it back to ${s.from})`;
    case 'restored':
      return `${s.name}: turned ${s.to} for the run, back to ${s.from}`;
    case 'already':
      return `${s.name}: was back to ${s.from} already`;
    case 'changed':
      return `${s.name}: changed by someone since the run set it to ${s.to}; left as it is`;
  }
}
