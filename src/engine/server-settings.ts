/**
 * Server settings a run changes for its duration, so that other sessions cannot write into set-aside
 * tables while the run itself can: read_only turned ON when it is OFF; on MySQL, super_read_only
 * (which refuses even the run's own renames) turned OFF when it is ON, read_only staying ON. A run
 * changes at most one of the two: read_only OFF means super_read_only OFF too. Each change is written
 * to the journal before it is made, and put back only once no table is set aside (by the flush
 * itself, else by `recover`), so a crash leaves read_only ON: `ServerHold` (server-hold.ts) does
 * that; this module decides, purely, what to change and how to put it back.
 *
 * The two switches are tied (MySQL): super_read_only=ON forces read_only ON, and read_only=OFF forces
 * super_read_only OFF. `decidePutBack` orders the statements accordingly and leaves alone what someone
 * else changed since, including a change to the other switch that putting ours back would undo.
 */
import type { ReadOnlyState } from '../inspect/server.js';
import type { ServerSetting, Switch } from '../journal/journal.js';

export interface SettingChange {
  name: ServerSetting;
  from: Switch;
  to: Switch;
}

export interface SettingReport extends SettingChange {
  /** restored: put back by us; already: it was back already; changed: left as it is (see `why`). */
  outcome: 'held' | 'restored' | 'already' | 'changed';
  /** For `changed`: why it was left as it is. */
  why?: string;
}

/**
 * What the run changes, from the state it finds: super_read_only ON -> OFF (read_only stays ON), or
 * read_only OFF -> ON; nothing when read_only is ON and super_read_only OFF. Pure.
 */
export function holdChanges(now: ReadOnlyState): SettingChange[] {
  if (now.super_read_only === 'ON') return [{ name: 'super_read_only', from: 'ON', to: 'OFF' }];
  if (now.read_only === 'OFF') return [{ name: 'read_only', from: 'OFF', to: 'ON' }];
  return [];
}

export interface PutBackDecision {
  /** The SET GLOBAL statements, in the order they must run. */
  steps: { name: ServerSetting; value: Switch }[];
  /** Per change, in the order given. */
  reports: SettingReport[];
}

/**
 * Which changes to put back, and in what order, given the server's state now. Pure.
 * - A switch already back at its old value: `already`. One at neither value (or gone): `changed`.
 * - super_read_only goes back ON only if read_only is ON then: someone who turned read_only OFF made
 *   the server writable (a promotion), and super_read_only=ON would force read_only back ON.
 * - read_only goes back OFF only if super_read_only is OFF then: someone who turned super_read_only
 *   ON fenced the server, and read_only=OFF would turn super_read_only OFF again.
 * - Order: super_read_only OFF first, then read_only, then super_read_only ON, so that neither
 *   statement undoes the other.
 */
export function decidePutBack(changed: SettingChange[], now: ReadOnlyState): PutBackDecision {
  const reports: SettingReport[] = changed.map((c) => {
    const cur = now[c.name];
    if (cur === c.from) return { ...c, outcome: 'already' };
    if (cur !== c.to) {
      const why = cur
        ? `changed by someone since the run set it to ${c.to}`
        : `the server has no ${c.name} now`;
      return { ...c, outcome: 'changed', why };
    }
    return { ...c, outcome: 'restored' };
  });
  const target = (): ReadOnlyState => {
    const t = { ...now };
    for (const r of reports) if (r.outcome === 'restored') t[r.name] = r.from;
    return t;
  };
  const conflict = () => {
    const t = target();
    return t.super_read_only === 'ON' && t.read_only === 'OFF';
  };
  const leave = (name: ServerSetting, why: string) => {
    for (const r of reports)
      if (r.name === name && r.outcome === 'restored') Object.assign(r, { outcome: 'changed', why });
  };
  if (conflict()) {
    leave(
      'read_only',
      'super_read_only was turned ON since, and putting read_only back to OFF would turn super_read_only OFF again',
    );
  }
  if (conflict()) {
    leave(
      'super_read_only',
      'read_only was turned OFF by someone since, and putting super_read_only back to ON would turn read_only ON again',
    );
  }
  const t = target();
  const steps: PutBackDecision['steps'] = [];
  if (now.super_read_only === 'ON' && t.super_read_only === 'OFF')
    steps.push({ name: 'super_read_only', value: 'OFF' });
  if (now.read_only !== t.read_only) steps.push({ name: 'read_only', value: t.read_only });
  if (now.super_read_only === 'OFF' && t.super_read_only === 'ON')
    steps.push({ name: 'super_read_only', value: 'ON' });
  return { steps, reports };
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
      return `${s.name}: turned ${s.to} for the run, not put back to ${s.from}: ${s.why ?? 'changed by someone since'}; left as it is`;
  }
}
