/**
 * `binlog-flusher verify --hashfile J`: reads the binlog between the run's coordinates over the
 * replication protocol and checks it against the journal (check.ts); then, per table, compares the
 * rows of the binlog with the rows the table holds now, by value, whenever nothing can have changed
 * the table since its flush (values.ts), else says why it compared counts only. Changes nothing.
 */
import { connect, type Db } from '../db/connection.js';
import type { Flavour } from '../model/version.js';
import { ExitCode, FlusherError, errorText } from '../model/errors.js';
import { namesOf } from '../model/input-names.js';
import { binlogPosition } from '../inspect/binlog.js';
import { globalVariables, readServer } from '../inspect/server.js';
import { replicaStatus } from '../inspect/replication.js';
import { shapeOf, tableShapes } from '../inspect/shapes.js';
import { readJournal, type JournalState } from '../journal/journal.js';
import { buildManifest, type Manifest } from '../journal/manifest.js';
import type { Logger } from '../model/log.js';
import type { ConnectionSettings, VerifySettings } from '../model/settings.js';
import { checkRange, comparePositions, eventsText, type Verdict } from './check.js';
import {
  BinlogSides,
  LINES_SHOWN,
  ReadSession,
  diagnose,
  readTable,
  type Diagnosis,
  type TableRead,
} from './compare.js';
import { planTable, type TablePlan } from './digest.js';
import { readEvents, readRange } from './reader.js';
import { ourEventsOfJournal } from '../inspect/our-events.js';
import { flavourFacts } from '../flavours/index.js';
import { Touches, serverWideReason, type ReplicationFacts } from './values.js';

export interface VerifyReport extends Verdict {
  status: 'verified' | 'mismatch';
  exitCode: ExitCode;
  hashfile: string;
  binlog: Manifest['binlog'];
}

type Coordinates = { file: string; position: number };
/** Mismatched tables whose differing rows are looked for (the rest are only named). */
const DIAGNOSED = 3;
const tkey = (schema: string, table: string) => `${schema}\u0000${table}`;

export async function verify(s: VerifySettings, log: Logger): Promise<VerifyReport> {
  const input = namesOf(s).name('hashfile');
  const j = readJournal(s.hashfile, undefined, { journal: input });
  const m = buildManifest(j);
  const { start, end } = m.binlog;
  if (!start || !end) {
    throw new FlusherError(
      `${input}: ${s.hashfile} has no binlog range (the run died before its end coordinates were journaled and recover has not finished it yet: run recover with it first; or an older version wrote it); nothing to verify`,
      ExitCode.badInput,
    );
  }
  const db = await connect(s.connection, s.timeout);
  try {
    return await verifyWith(db, s, j, m, log);
  } finally {
    await db.close();
  }
}

/** What is known before the binlog is read: each table's plan, and why some cannot be compared. */
interface Context {
  plans: Map<string, TablePlan>;
  why: Map<string, string>;
  flavour?: Flavour;
  gtidOn: boolean;
  /** Where the binlog ended when verify started. */
  now?: Coordinates;
  replication?: ReplicationFacts;
}

async function verifyWith(
  db: Db,
  s: VerifySettings,
  j: JournalState,
  m: Manifest,
  log: Logger,
): Promise<VerifyReport> {
  const { start, end } = m.binlog as Required<Manifest['binlog']>;
  const idleS = Math.min(s.timeout, 60);
  const ctx = await context(db, m, j, s.countsOnly === true);
  log.info(`reading the binlog from ${start.file}:${start.position} to ${end.file}:${end.position}`);
  const compared = m.tables.filter((t) => !ctx.why.has(tkey(t.schema, t.table)));
  const binlog = new BinlogSides(compared.map((t) => ctx.plans.get(tkey(t.schema, t.table))!));
  const events = await readRange(s.connection, start, end, idleS, {
    sink: binlog,
    charsets: binlog.charsets,
    ...(j.header && { ours: ourEventsOfJournal(j.header) }),
  });
  const v = checkRange(m, events, m.run.ddl !== 'none');
  const inside = new Touches(m.tables, true);
  for (const e of events) inside.see(e);
  for (const t of compared) {
    const k = tkey(t.schema, t.table);
    const why = inside.of(t.schema, t.table);
    if (why) ctx.why.set(k, `changed inside the run's range (${why})`);
  }
  if (m.tables.some((t) => !ctx.why.has(tkey(t.schema, t.table))))
    noteTouches(ctx, m, await touches(s.connection, end, ctx.now, m.tables, idleS), 'written after the run');
  for (const [k, why] of binlog.broken) if (!ctx.why.has(k)) ctx.why.set(k, why);
  const sessions = new ReadSession(db, () => connect(s.connection, s.timeout));
  try {
    const reads = await readTables(sessions, m, ctx, log);
    await recheck(await sessions.get(), s, m, ctx, idleS);
    const mismatched = assemble(v, ctx, binlog, reads);
    if (mismatched.length)
      attachDifferences(v, await diagnose(s.connection, m, idleS, mismatched.slice(0, DIAGNOSED), sessions));
  } finally {
    await sessions.close();
  }
  const ok = v.foreign.length === 0 && v.tables.every((t) => t.problems.length === 0);
  return {
    ...v,
    ok,
    status: ok ? 'verified' : 'mismatch',
    exitCode: ok ? ExitCode.ok : ExitCode.verifyFailed,
    hashfile: s.hashfile,
    binlog: m.binlog,
  };
}

async function context(db: Db, m: Manifest, j: JournalState, countsOnly: boolean): Promise<Context> {
  const ctx: Context = { plans: new Map(), why: new Map(), gtidOn: false };
  const all = (why: string) => m.tables.forEach((t) => ctx.why.set(tkey(t.schema, t.table), why));
  try {
    const facts = await readServer(db);
    ctx.flavour = facts.dialect.version.flavour;
    ctx.gtidOn = facts.gtidOn;
    const shapes = await tableShapes(db, facts.dialect.version, [...new Set(m.tables.map((t) => t.schema))]);
    for (const t of m.tables) {
      const k = tkey(t.schema, t.table);
      const shape = shapeOf(shapes, t.schema, t.table);
      if (!shape) {
        ctx.why.set(k, 'the table is not there');
        continue;
      }
      const plan = planTable(t.schema, t.table, shape, ctx.flavour, t.rows);
      ctx.plans.set(k, plan);
      if (plan.inexact.length) ctx.why.set(k, plan.inexact.join('; '));
    }
    for (const t of m.tables.filter((x) => x.partial))
      ctx.why.set(tkey(t.schema, t.table), 'partial: the run put it back before every row was copied');
    for (const t of m.tables.filter((x) => x.resumed))
      ctx.why.set(
        tkey(t.schema, t.table),
        `resumed: ${t.resumed!.rowsBefore} of its rows are in the range of the run it resumed`,
      );
    if (countsOnly) all('counts only were asked for (--counts-only)');
    ctx.now = await binlogPosition(db, facts.dialect);
    ctx.replication = await replicationFacts(db, m, j, facts.dialect);
    const wide = serverWideReason(ctx.replication);
    if (wide)
      for (const t of m.tables)
        if (!ctx.why.has(tkey(t.schema, t.table))) ctx.why.set(tkey(t.schema, t.table), wide);
  } catch (e) {
    for (const t of m.tables) {
      const k = tkey(t.schema, t.table);
      if (!ctx.why.has(k)) ctx.why.set(k, `the server's state could not be read: ${errorText(e)}`);
    }
  }
  return ctx;
}

async function replicationFacts(
  db: Db,
  m: Manifest,
  j: JournalState,
  d: Awaited<ReturnType<typeof readServer>>['dialect'],
): Promise<ReplicationFacts> {
  const flavour = d.version.flavour;
  const vars = await globalVariables(db, ['log_slave_updates', 'log_replica_updates']);
  const logs = vars.get('log_replica_updates') ?? vars.get('log_slave_updates');
  const replica = await replicaStatus(db, d).then(
    (r) => r !== undefined,
    () => undefined,
  );
  return {
    flavour,
    logsApplied: logs === undefined ? undefined : logs === 'ON',
    replica,
    gtidSinceEnd: await gtidSince(db, flavour, m),
    stoppedDuringRun: j.header?.options.stopReplica !== false,
  };
}

async function gtidSince(db: Db, flavour: Flavour, m: Manifest): Promise<string | undefined> {
  const since = m.binlog.end?.gtid;
  const query = flavourFacts(flavour).gtidsExecutedSince;
  if (!query || !since) return undefined;
  const r = await db.one(query, [since]).catch(() => undefined);
  return r ? String(r.g ?? '').replaceAll('\n', '') : undefined;
}

/** The first write or mention of each table between two coordinates, or why that could not be read. */
async function touches(
  c: ConnectionSettings,
  from: Coordinates,
  to: Coordinates | undefined,
  tables: { schema: string; table: string }[],
  idleS: number,
): Promise<Touches | string> {
  const t = new Touches(tables);
  if (!to) return 'where the binlog ends could not be read';
  if (comparePositions(from, to) >= 0) return t;
  try {
    await readEvents(c, from, to, (e) => t.see(e), { idleS, only: tables });
    return t;
  } catch (e) {
    return `the binlog after the run could not be read: ${errorText(e)}`;
  }
}

function noteTouches(ctx: Context, m: Manifest, t: Touches | string, what: string): void {
  for (const x of m.tables) {
    const k = tkey(x.schema, x.table);
    if (ctx.why.has(k)) continue;
    const why = typeof t === 'string' ? t : t.of(x.schema, x.table);
    if (why) ctx.why.set(k, typeof t === 'string' ? why : `${what} (${why})`);
  }
}

/** The table side of every table still compared by value. */
async function readTables(
  sessions: ReadSession,
  m: Manifest,
  ctx: Context,
  log: Logger,
): Promise<Map<string, TableRead>> {
  const out = new Map<string, TableRead>();
  for (const t of m.tables) {
    const k = tkey(t.schema, t.table);
    if (ctx.why.has(k)) continue;
    log.debug(`reading ${t.schema}.${t.table}`);
    const read = await readTable(await sessions.get(), ctx.plans.get(k)!);
    out.set(k, read);
    if (read.failed) ctx.why.set(k, read.failed);
  }
  return out;
}

/** The first differing rows of each mismatched table (a table not looked into says so). */
function attachDifferences(v: Verdict, found: Map<string, Diagnosis>): void {
  for (const t of v.tables) {
    const d = found.get(tkey(t.schema, t.table));
    if (t.values?.equal === false && !d)
      t.values.differences = [`not looked into (only the first ${DIAGNOSED} tables that differ are)`];
    if (!d || !t.values) continue;
    const lines = d.lines.slice(0, LINES_SHOWN);
    if (d.lines.length > lines.length) lines.push(`… ${d.lines.length - lines.length} more`);
    if (d.unlooked || d.truncated) lines.push('… and more rows not looked into');
    t.values.differences = lines;
  }
}

/** After the tables were read: nothing wrote them meanwhile, and nothing ran unseen since the run. */
async function recheck(
  session: Db,
  s: VerifySettings,
  m: Manifest,
  ctx: Context,
  idleS: number,
): Promise<void> {
  if (!ctx.now || !ctx.replication || m.tables.every((t) => ctx.why.has(tkey(t.schema, t.table)))) return;
  try {
    const later = await binlogPosition(session, (await readServer(session)).dialect);
    noteTouches(
      ctx,
      m,
      await touches(s.connection, ctx.now, later, m.tables, idleS),
      'written while verify read it',
    );
    const wide = serverWideReason({
      ...ctx.replication,
      gtidSinceEnd: await gtidSince(session, ctx.replication.flavour, m),
    });
    if (wide) noteTouches(ctx, m, wide, '');
  } catch (e) {
    noteTouches(ctx, m, `the binlog after the tables were read could not be checked: ${errorText(e)}`, '');
  }
}

/** Each table's value verdict; returns the tables whose rows differ, with the differing buckets. */
function assemble(
  v: Verdict,
  ctx: Context,
  binlog: BinlogSides,
  reads: Map<string, TableRead>,
): { plan: TablePlan; buckets: number[] }[] {
  const mismatched: { plan: TablePlan; buckets: number[] }[] = [];
  for (const t of v.tables) {
    const k = tkey(t.schema, t.table);
    const why = ctx.why.get(k);
    const read = reads.get(k);
    const side = binlog.of(t.schema, t.table);
    if (why || !read?.side || !side) {
      t.values = { by: 'count', why: why ?? 'its rows were not read' };
      continue;
    }
    const buckets = side.all.differing(read.side.all);
    t.values = { by: 'value', equal: buckets.length === 0, tableRows: read.rows ?? 0 };
    if (buckets.length) {
      t.problems.push(
        read.rows === t.found
          ? `values differ from the binlog's (same number of rows)`
          : `values differ from the binlog's (${read.rows} rows in the table)`,
      );
      mismatched.push({ plan: ctx.plans.get(k)!, buckets });
    }
  }
  return mismatched;
}

export function formatVerifyReport(r: VerifyReport): string {
  const notes: string[] = [];
  const note = (why: string) => {
    let i = notes.indexOf(why);
    if (i < 0) i = notes.push(why) - 1;
    return `by count [${i + 1}]`;
  };
  const rows = r.tables.map((t) => [
    `${t.schema}.${t.table}`,
    String(t.expected),
    String(t.found),
    !t.values ? '-' : t.values.by === 'value' ? 'by value' : note(t.values.why ?? ''),
    t.problems.length ? `MISMATCH: ${t.problems.join('; ')}` : 'ok',
  ]);
  const head = ['table', 'journal rows', 'binlog rows', 'compared', 'result'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (x: string[]) =>
    x
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(width[i]!) : c.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  const out = [
    `Binlog ${r.binlog.start!.file}:${r.binlog.start!.position} .. ${r.binlog.end!.file}:${r.binlog.end!.position}: ${eventsText(r)}`,
    line(head),
    ...rows.map(line),
    ...notes.map((n, i) => `[${i + 1}] values not compared: ${n}`),
  ];
  const differing = r.tables.filter((t) => t.values?.differences?.length);
  if (differing.length) {
    out.push('Rows that differ between the binlog and the table (keys and columns; values are never shown):');
    for (const t of differing)
      for (const d of t.values!.differences!) out.push(`  ${t.schema}.${t.table}: ${d}`);
    if (differing.some((t) => t.values!.differences!.some((d) => d.includes('~'))))
      out.push(
        '  (~ and 8 hex digits: the start of the SHA-256 of a character, binary or address key value)',
      );
  }
  if (r.foreign.length) {
    out.push("Events in the range that are no flushed table's:");
    for (const f of r.foreign)
      out.push(`  ${f.what} (${f.count} event${f.count === 1 ? '' : 's'}, first at ${f.first})`);
  }
  const byValue = r.tables.filter((t) => t.values?.by === 'value').length;
  out.push(`Result: ${r.status} (${byValue} of ${r.tables.length} tables compared by value)`);
  return out.join('\n');
}
