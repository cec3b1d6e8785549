/**
 * When values can be compared, and how a difference is told. Pure.
 *
 * A table's rows are compared with the binlog's only when nothing can have changed them since they
 * were flushed: no write to it is in the binlog after its rows (inside the run's range or after the
 * run's end, up to the moment verify has read it), and every change this server applied is in its
 * binlog (a replica that does not log what its applier applies could have changed it unseen, unless
 * MySQL's executed GTID set shows that nothing ran since the run's end). A change made with
 * `sql_log_bin = 0` leaves no trace anywhere: that is what a value mismatch then reports.
 *
 * The report never shows a value: a differing row is named by its key (numbers, dates, ENUM members in
 * full; character, binary and address keys by a short hash) and the names of the differing columns.
 */
import { createHash } from 'node:crypto';
import type { Flavour } from '../model/version.js';
import { flavourFacts } from '../flavours/index.js';
import type { Canon } from './canonical.js';
import type { ValueColumn } from './columns.js';
import { createdTable, type RangeEvent } from './check.js';
import type { SampleRow, TablePlan } from './digest.js';

export interface ReplicationFacts {
  flavour: Flavour;
  /** log_slave_updates / log_replica_updates; undefined: could not be read. */
  logsApplied: boolean | undefined;
  /** Whether the server is a replica; undefined: could not be read. */
  replica: boolean | undefined;
  /** MySQL with GTIDs: the transactions executed since the run's end ('' for none). */
  gtidSinceEnd?: string;
  /** The journal says the run stopped the applier while it flushed. */
  stoppedDuringRun: boolean;
}

/** Why no table of this server can be compared by value, or undefined. */
export function serverWideReason(f: ReplicationFacts): string | undefined {
  const variable = flavourFacts(f.flavour).logsAppliedVariable;
  if (f.logsApplied === true || f.replica === false) return undefined;
  if (f.logsApplied === undefined)
    return `cannot read ${variable}, so changes the applier made unseen cannot be ruled out`;
  if (f.gtidSinceEnd === '' && f.stoppedDuringRun) return undefined;
  const since = f.gtidSinceEnd ? ` (GTIDs executed since the run's end: ${f.gtidSinceEnd})` : '';
  return `this replica does not write what its applier applies to its binlog (${variable}=OFF), so a change it applied since the flush cannot be ruled out${since}`;
}

const tkey = (schema: string, table: string) => `${schema}\u0000${table}`;
const TRANSACTION_WORDS = /^(BEGIN|COMMIT|XA (START|END|PREPARE|COMMIT))\b/i;

/** A test for statements that name `name` as an identifier (case-insensitive; quoted or not). */
export function namer(name: string): RegExp {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_$\\u0080-\\uffff])${esc}($|[^A-Za-z0-9_$\\u0080-\\uffff])`, 'i');
}

/** Whether a statement names `name` as an identifier. */
export function namesTable(sql: string, name: string): boolean {
  return namer(name).test(sql);
}

/**
 * The first event that writes or names each table: any row event under its name, any statement (not
 * BEGIN/COMMIT) that names it. `ours`: inside the run's range, where the inserts and the CREATE TABLE
 * of a flushed table are the flush's own. Never quotes a statement (it may hold values).
 */
export class Touches {
  readonly first = new Map<string, string>();
  private readonly names: Map<string, RegExp>;
  constructor(
    private readonly tables: { schema: string; table: string }[],
    private readonly ours = false,
  ) {
    this.names = new Map(tables.map((t) => [t.table, namer(t.table)]));
  }

  see(e: RangeEvent): void {
    const at = `${e.file}:${e.position}`;
    if (e.kind === 'rows') {
      if (this.ours && e.op === 'insert') return;
      const k = tkey(e.schema, e.table);
      if (!this.first.has(k) && this.tables.some((t) => tkey(t.schema, t.table) === k))
        this.first.set(k, `${e.op} rows at ${at}`);
      return;
    }
    const sql = e.sql.trim();
    if (TRANSACTION_WORDS.test(sql)) return;
    const created = this.ours ? createdTable(sql) : undefined;
    if (created && this.tables.some((t) => t.schema === created.schema && t.table === created.table)) return;
    for (const t of this.tables) {
      const k = tkey(t.schema, t.table);
      if (!this.first.has(k) && this.names.get(t.table)!.test(sql))
        this.first.set(k, `a statement at ${at} names it`);
    }
  }

  of(schema: string, table: string): string | undefined {
    return this.first.get(tkey(schema, table));
  }
}

/* Differences */

const SHOWN_IN_FULL = new Set([
  'int',
  'decimal',
  'float',
  'year',
  'temporal',
  'timestamp',
  'enum',
  'set',
  'bit',
]);

/** A key value as the report shows it: in full when it is a number, a date or a member; else hashed. */
export function keyValueText(c: ValueColumn, v: Canon): string {
  if (v === null) return 'NULL';
  if (c.kind === 'bit') return BigInt(`0x${Buffer.from(v, 'latin1').toString('hex') || '0'}`).toString();
  if (c.kind === 'enum') return v === '0' ? "''" : `'${c.members?.[Number(v) - 1] ?? v}'`;
  if (SHOWN_IN_FULL.has(c.kind)) return v;
  return `~${createHash('sha256').update(v).digest('hex').slice(0, 8)}`;
}

export function keyText(plan: TablePlan, values: Canon[]): string {
  return plan.key
    .map((i) => `${plan.columns[i]!.name}=${keyValueText(plan.columns[i]!, values[i]!)}`)
    .join(', ');
}

const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

/** One line per key (or, without a key, per distinct row) whose rows differ between the two sides. */
export function differences(
  plan: TablePlan,
  binlog: Map<string, SampleRow[]>,
  table: Map<string, SampleRow[]>,
): string[] {
  const out: string[] = [];
  const groups = [...new Set([...binlog.keys(), ...table.keys()])];
  for (const g of groups) {
    const b = binlog.get(g) ?? [];
    const t = table.get(g) ?? [];
    const sameRows =
      b.length === t.length &&
      [...b.map((r) => r.hash)].sort().join() === [...t.map((r) => r.hash)].sort().join();
    if (sameRows) continue;
    const any = (b[0] ?? t[0])!;
    const who = plan.key.length
      ? keyText(plan, any.values)
      : `a row without a key (~${any.hash.slice(0, 8)})`;
    if (plan.key.length && b.length === 1 && t.length === 1) {
      const cols = plan.columns.filter((_, i) => b[0]!.values[i] !== t[0]!.values[i]).map((c) => c.name);
      out.push(
        `${who}: column${cols.length === 1 ? '' : 's'} ${cols.join(', ')} differ${cols.length === 1 ? 's' : ''}`,
      );
    } else if (t.length === 0) out.push(`${who}: in the binlog ${times(b.length)}, not in the table`);
    else if (b.length === 0) out.push(`${who}: in the table ${times(t.length)}, not in the binlog`);
    else out.push(`${who}: in the binlog ${times(b.length)}, in the table ${times(t.length)}`);
  }
  return out;
}
