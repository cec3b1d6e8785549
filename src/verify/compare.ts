/**
 * The value side of `verify`: per flushed table, a digest of its rows in the binlog range (from the
 * rows the reader decodes) and one of the table's rows (a SELECT of every column, streamed), then, for
 * a table whose digests differ, a second pass over a few of the differing buckets to name the rows.
 * Reads only; bounded memory (no table is held, only digests and a capped sample).
 */
import type { Db } from '../db/connection.js';
import { errorText } from '../model/errors.js';
import type { Manifest } from '../journal/manifest.js';
import type { ConnectionSettings } from '../model/settings.js';
import { NotComparable } from './canonical.js';
import { SideDigest, type TablePlan } from './digest.js';
import { decoderFor } from './columns.js';
import { readEvents, type ReaderColumn, type RowSink } from './reader.js';
import { READ_SESSION, selectEveryColumn } from './sql.js';
import { differences } from './values.js';

const tkey = (schema: string, table: string) => `${schema}\u0000${table}`;

/** The binlog side of every compared table, fed by the range reader. */
export class BinlogSides implements RowSink {
  readonly sides = new Map<string, SideDigest>();
  /** Tables whose binlog rows could not be put in canonical form, and why. */
  readonly broken = new Map<string, string>();
  private pendingTables = new Set<SideDigest>();
  private checked = new WeakSet<ReaderColumn[]>();

  constructor(plans: TablePlan[], sample?: Map<string, Set<number>>) {
    for (const p of plans) {
      const k = tkey(p.schema, p.table);
      this.sides.set(k, new SideDigest(p, sample?.get(k)));
    }
  }

  rows(
    schema: string,
    table: string,
    rows: Record<string, unknown>[],
    pending: boolean,
    columns: ReaderColumn[] | undefined,
  ): void {
    const k = tkey(schema, table);
    const side = this.sides.get(k);
    if (!side || this.broken.has(k)) return;
    try {
      if (columns && !this.checked.has(columns)) {
        this.checked.add(columns);
        checkDecoding(side.plan, columns);
      }
      for (const r of rows) side.add(side.plan.canon.fromBinlog(r), pending);
      if (pending) this.pendingTables.add(side);
    } catch (e) {
      if (!(e instanceof NotComparable)) throw e;
      this.broken.set(k, e.message);
    }
  }

  settle(keep: boolean): void {
    for (const s of this.pendingTables) s.settle(keep);
    this.pendingTables.clear();
  }

  of(schema: string, table: string): SideDigest | undefined {
    return this.sides.get(tkey(schema, table));
  }

  /** The character set of each character column, for the reader (see ReadOptions.charsets). */
  charsets = (schema: string, table: string): Map<string, string> | undefined => {
    const plan = this.sides.get(tkey(schema, table))?.plan;
    return plan && textCharsets(plan);
  };
}

function textCharsets(plan: TablePlan): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of plan.columns)
    if ((c.kind === 'text' || c.kind === 'char') && c.charset) out.set(c.name, c.charset);
  return out;
}

/** The reader decodes every character column in the column's own character set (else: not comparable). */
function checkDecoding(plan: TablePlan, columns: ReaderColumn[]): void {
  for (const [name, charset] of textCharsets(plan)) {
    const used = columns.find((c) => c.name === name)?.charset;
    if (used && decoderFor(used) !== decoderFor(charset))
      throw new NotComparable(`column ${name}: the binlog reader decodes it as ${used}, not as ${charset}`);
  }
}

/**
 * The session tables are read with: the caller's, until it breaks (a table's rows could not be read
 * to the end); then one of our own, opened again as often as needed and closed by `close`.
 */
export class ReadSession {
  private own: Db | undefined;
  constructor(
    private readonly db: Db,
    private readonly open: () => Promise<Db>,
  ) {}

  async get(): Promise<Db> {
    if (!this.db.broken && !this.own) return this.db;
    if (this.own && !this.own.broken) return this.own;
    await this.own?.close();
    this.own = await this.open();
    return this.own;
  }

  async close(): Promise<void> {
    await this.own?.close();
    this.own = undefined;
  }
}

export interface TableRead {
  side?: SideDigest;
  rows?: number;
  /** Why the table's rows could not be compared (not readable, or a value without a canonical form). */
  failed?: string;
}

/** The table side: every row of the table, streamed through the digest. */
export async function readTable(db: Db, plan: TablePlan, sample?: Set<number>): Promise<TableRead> {
  const side = new SideDigest(plan, sample);
  let broken: string | undefined;
  try {
    await db.exec(READ_SESSION);
    const rows = await db.stream(selectEveryColumn(plan.schema, plan.table, plan.columns), (r) => {
      if (broken) return;
      try {
        side.add(plan.canon.fromTable(r));
      } catch (e) {
        if (!(e instanceof NotComparable)) throw e;
        broken = e.message;
      }
    });
    return broken ? { failed: broken } : { side, rows };
  } catch (e) {
    return { failed: `its rows could not be read: ${errorText(e)}` };
  }
}

export interface Diagnosis {
  lines: string[];
  /** Differing buckets not looked into (each holds at least one differing row). */
  unlooked: number;
  truncated: boolean;
}

/** Buckets looked into per table on a mismatch. */
const BUCKETS_LOOKED = 4;
/** Lines shown per table. */
export const LINES_SHOWN = 8;

/**
 * Second pass over mismatched tables: the binlog range and each table again, keeping only the rows of
 * the first few differing buckets, to say which keys differ and in which columns.
 */
export async function diagnose(
  c: ConnectionSettings,
  m: Manifest,
  idleS: number,
  mismatched: { plan: TablePlan; buckets: number[] }[],
  sessions: ReadSession,
): Promise<Map<string, Diagnosis>> {
  const out = new Map<string, Diagnosis>();
  if (!mismatched.length) return out;
  const sample = new Map(
    mismatched.map((x) => [tkey(x.plan.schema, x.plan.table), new Set(x.buckets.slice(0, BUCKETS_LOOKED))]),
  );
  const binlog = new BinlogSides(
    mismatched.map((x) => x.plan),
    sample,
  );
  await readEvents(c, m.binlog.start!, m.binlog.end!, () => undefined, {
    idleS,
    sink: binlog,
    charsets: binlog.charsets,
    only: mismatched.map((x) => x.plan),
  });
  for (const x of mismatched) {
    const k = tkey(x.plan.schema, x.plan.table);
    const t = await readTable(await sessions.get(), x.plan, sample.get(k));
    const b = binlog.of(x.plan.schema, x.plan.table)!;
    if (!t.side) continue;
    out.set(k, {
      lines: differences(x.plan, b.sample, t.side.sample),
      unlooked: Math.max(0, x.buckets.length - BUCKETS_LOOKED),
      truncated: b.truncated || t.side.truncated,
    });
  }
  return out;
}
