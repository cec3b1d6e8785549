/**
 * The torture test: seeded rounds of faults against a real replica, each ending with the same
 * verdict. A round is one of
 *  - kill-flush:   SIGKILL of the flusher at a random moment (a random instant, right after its Nth
 *                  journal record, or just before the parked-twin drop), then `recover`;
 *  - kill-recover: the same, then SIGKILL of the recovery too (a random instant or after its Nth
 *                  record), then `recover` again;
 *  - race:         `recover` started while the flush runs (waiting for it, or with a short lock wait);
 *  - restart:      the replica server SIGKILLed mid-flush and started again, then `recover`;
 *  - cancel:       SIGINT or SIGTERM at a random moment (what a cancelled job sends), with a pause file
 *                  appearing, a rate cap, or neither: the flush puts every table back itself, and
 *                  every row the binlog holds for the run is in its account (the result's, the
 *                  journal's and the manifest's), which `verify` confirms.
 * After every round: every table identical (rows, definition, triggers, referencing foreign keys),
 * nothing of ours left, the journal readable, and one more `recover` exits 0 and changes nothing.
 * The same seed replays the same rounds (the moments are drawn from it; the server's timing is not).
 */
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../../src/journal/journal.js';
import { manifestPath, type Manifest } from '../../src/journal/manifest.js';
import { readBinlog, rowsByTable } from '../support/binlog.js';
import { killByPidFile, startAgain } from '../sandbox/local.js';
import type { SandboxInfo } from '../sandbox/types.js';
import { mycnfFor, runCliProcess, startCli, type CliRun } from '../support/cli.js';
import { startReplica, waitCaughtUp, withSql } from '../support/db.js';
import { tempHashfile } from '../support/flusher.js';
import { procState, waitFor } from '../support/process.js';
import { prng } from '../support/prng.js';
import { leftovers, snapshotSchema, type SchemaSnapshot } from '../support/snapshot.js';
import { isDeepStrictEqual } from 'node:util';
import { TORTURE_SCHEMA, tortureFixture } from './fixture.js';

export const KINDS = ['kill-flush', 'kill-recover', 'race', 'restart', 'cancel'] as const;
export type Kind = (typeof KINDS)[number];

export interface TortureOptions {
  sandbox: SandboxInfo;
  rounds: number;
  seed: number;
  entry?: 'src' | 'dist';
  log?: (line: string) => void;
  /** Only these kinds of round (default: all that the sandbox allows). */
  kinds?: readonly Kind[];
}

export interface TortureResult {
  seed: number;
  rounds: number;
  held: number;
  kinds: Record<Kind, number>;
  /** Rounds whose flush died before its journal existed (nothing had changed). */
  beforeJournal: number;
  /**
   * Restart rounds in which the server's own crash recovery left debris under a table's name (MariaDB:
   * the engine files of an interrupted partitioned CREATE TABLE): recover named it with its steps,
   * the steps were followed as a DBA would, and recover then finished.
   */
  serverDebris: number;
  /** Races in which recover met the running flush: it waited for the run lock, or was refused by it. */
  contended: number;
  /** Of those, refused (a short lock wait). */
  refused: number;
  seconds: number;
  failure?: string;
}

/** Kinds in order: the first rounds take each kind once (shuffled), then weighted draws. */
export function roundKinds(rounds: number, rand: () => number, kinds: readonly Kind[] = KINDS): Kind[] {
  const weights: Record<Kind, number> = {
    'kill-flush': 3,
    'kill-recover': 2.5,
    race: 3.5,
    restart: 1.5,
    cancel: 2.5,
  };
  const first = [...kinds].sort(() => rand() - 0.5);
  const total = kinds.reduce((n, k) => n + weights[k], 0);
  const out: Kind[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i < first.length) {
      out.push(first[i]!);
      continue;
    }
    let x = rand() * total;
    out.push(kinds.find((k) => (x -= weights[k]) < 0) ?? kinds[0]!);
  }
  return out;
}

class RoundFailure extends Error {}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const int = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

function journalRecords(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

export async function runTorture(o: TortureOptions): Promise<TortureResult> {
  const sb = o.sandbox;
  const log = o.log ?? (() => undefined);
  const rand = prng(o.seed);
  const started = Date.now();
  const mycnf = mycnfFor(sb.replica);
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (pid: number) => void) =>
    runCliProcess(args, { entry: o.entry ?? 'src', env, onSpawn, timeoutMs: 180_000 });
  const flushArgs = (j: string) => [
    'flush',
    '--mycnf',
    mycnf,
    '--db',
    TORTURE_SCHEMA,
    '--chunk-size',
    '120',
    '--concurrency',
    '2',
    '--timeout',
    '10',
    '--hashfile',
    j,
  ];
  const recoverArgs = (j: string, extra: string[] = []) => [
    'recover',
    '--mycnf',
    mycnf,
    '--hashfile',
    j,
    ...extra,
  ];

  await startReplica(sb.replica).catch(() => undefined);
  await withSql(sb.primary, (c) => c.query(tortureFixture(sb.flavour === 'mariadb')));
  await waitCaughtUp(sb.primary, sb.replica);
  const snap = () => withSql(sb.replica, (c) => snapshotSchema(c, TORTURE_SCHEMA));
  const before: SchemaSnapshot = await snap();

  // Calibrate: one clean flush gives the span of a run, in time and in journal records.
  const calib = tempHashfile();
  const t0 = Date.now();
  const running = cli(flushArgs(calib));
  await waitFor(() => existsSync(calib), 60_000);
  const t1 = Date.now();
  const first = await running;
  if (first.code !== 0) throw new Error(`calibration flush failed: ${first.stderr}`);
  // ms: spawn to exit; work: from the journal's appearance (the first change) to exit.
  const span = { ms: Date.now() - t0, work: Date.now() - t1, records: journalRecords(calib) - 2 };
  log(
    `torture: seed ${o.seed}; a clean flush takes ${span.ms} ms (${span.work} ms of it changing tables) and appends ${span.records} journal records`,
  );

  const result: TortureResult = {
    seed: o.seed,
    rounds: o.rounds,
    held: 0,
    kinds: { 'kill-flush': 0, 'kill-recover': 0, race: 0, restart: 0, cancel: 0 },
    beforeJournal: 0,
    serverDebris: 0,
    contended: 0,
    refused: 0,
    seconds: 0,
  };
  const canRestart = Boolean(sb.replica.command && sb.replica.datadir);
  const allowed = (o.kinds ?? KINDS).filter((k) => canRestart || k !== 'restart');
  const kinds = roundKinds(o.rounds, rand, allowed);

  /** A flush killed at a random moment; returns what it did. */
  const killedFlush = async (j: string): Promise<{ run: CliRun; how: string }> => {
    const pick = rand();
    if (pick < 0.45) {
      const n = int(rand, 1, span.records);
      return {
        run: await cli(flushArgs(j), { BINLOG_FLUSHER_FAULT: `journal@${n}` }),
        how: `after journal record ${n}`,
      };
    }
    if (pick < 0.55) {
      return {
        run: await cli(flushArgs(j), { BINLOG_FLUSHER_FAULT: 'drop-twins' }),
        how: 'before the twin drop',
      };
    }
    const delay = int(rand, 0, span.ms);
    let pid = 0;
    const p = cli(flushArgs(j), {}, (x) => (pid = x));
    const timer = setTimeout(() => pid && process.kill(pid, 'SIGKILL'), delay);
    const run = await p;
    clearTimeout(timer);
    return { run, how: `${delay} ms after start` };
  };

  /**
   * After a cancelled flush: the rows the binlog holds for the run, per table (read with the server's
   * own reader), are the manifest's; the result says the same; `verify` confirms it.
   */
  const accountHeld = async (j: string, run: CliRun): Promise<string> => {
    const m = JSON.parse(readFileSync(manifestPath(j), 'utf8')) as Manifest;
    const inBinlog = await rowsOfRun(sb, m);
    const listed = Object.fromEntries(m.tables.map((t) => [t.table, t.rows]));
    expect(
      isDeepStrictEqual(listed, inBinlog),
      `the binlog holds ${JSON.stringify(inBinlog)}, the manifest says ${JSON.stringify(listed)}`,
      run,
    );
    const partial = m.tables.filter((t) => t.partial);
    expect(
      partial.every((t) => t.rowsAre === 'exact'),
      'a cancelled run left a partial table it could not account for',
      run,
    );
    for (const t of partial)
      expect(
        run.stdout.includes(`${TORTURE_SCHEMA}.${t.table}: restored, partial: its DDL and ${t.rows} row`),
        `the result does not say ${t.table} is partial with ${t.rows} rows`,
        run,
      );
    const v = await cli(['verify', '--mycnf', mycnf, '--hashfile', j]);
    expect(v.code === 0, `verify exited ${String(v.code)}`, v);
    const rows = Object.values(inBinlog).reduce((a, n) => a + n, 0);
    return `${m.tables.length - partial.length} tables flushed, ${partial.length} partial, ${rows} rows in the binlog, as accounted`;
  };

  const expect = (ok: boolean, what: string, run?: CliRun) => {
    if (!ok)
      throw new RoundFailure(`${what}${run ? `\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}` : ''}`);
  };
  const recoverOk = async (j: string, what: string) => {
    const r = await cli(recoverArgs(j));
    expect(r.code === 0, `${what}: recover exited ${String(r.code ?? r.signal)}`, r);
  };

  /**
   * recover after a server restart. Where the server's crash recovery left debris that only a DBA can
   * clear (recover says so, table by table, with the steps), the steps are followed here, on the
   * sandbox's datadir, and recover must then finish.
   */
  const recoverAfterRestart = async (j: string): Promise<string> => {
    const r = await cli(recoverArgs(j, ['--json']));
    if (r.code === 0) return '';
    expect(r.code === 5, `after the server restart: recover exited ${String(r.code ?? r.signal)}`, r);
    const left = (
      JSON.parse(r.stdout) as { tables: { table: string; outcome: string; ok: boolean }[] }
    ).tables.filter((t) => !t.ok);
    const plan = readJournal(j).tables;
    for (const t of left) {
      expect(t.outcome === 'engine-debris', `after the server restart: ${t.table}: ${t.outcome}`, r);
      const backup = plan.find((x) => x.table === t.table)!.backup;
      await clearEngineDebris(sb, TORTURE_SCHEMA, t.table, backup);
    }
    await recoverOk(j, 'after the DBA steps for the server debris');
    result.serverDebris += left.length;
    return `; the server left debris under ${left.map((t) => t.table).join(', ')}: recover named it, its steps cleared it`;
  };

  const rounds: Record<Kind, (j: string) => Promise<string>> = {
    'kill-flush': async (j) => {
      const { run, how } = await killedFlush(j);
      expect(run.signal === 'SIGKILL' || run.code === 0, `flush ended with ${String(run.code)}`, run);
      if (existsSync(j)) await recoverOk(j, 'after the killed flush');
      return `flush killed ${how}`;
    },
    'kill-recover': async (j) => {
      const { run, how } = await killedFlush(j);
      expect(run.signal === 'SIGKILL' || run.code === 0, `flush ended with ${String(run.code)}`, run);
      if (!existsSync(j)) return `flush killed ${how}, before its journal existed`;
      let rhow: string;
      if (rand() < 0.5) {
        const n = int(rand, 1, 6);
        const r = await cli(recoverArgs(j), { BINLOG_FLUSHER_FAULT: `journal@${n}` });
        expect(r.signal === 'SIGKILL' || r.code === 0, `killed recover ended with ${String(r.code)}`, r);
        rhow = `after its record ${n}`;
      } else {
        const delay = int(rand, 0, 1500);
        let pid = 0;
        const p = cli(recoverArgs(j), {}, (x) => (pid = x));
        const timer = setTimeout(() => pid && process.kill(pid, 'SIGKILL'), delay);
        const r = await p;
        clearTimeout(timer);
        expect(r.signal === 'SIGKILL' || r.code === 0, `killed recover ended with ${String(r.code)}`, r);
        rhow = `${delay} ms after start`;
      }
      await recoverOk(j, 'after the killed recover');
      return `flush killed ${how}; recover killed ${rhow}`;
    },
    race: async (j) => {
      // Mostly a flush that froze itself right after a random journal record, holding the run lock,
      // so recover surely meets it; otherwise plain timing.
      const frozen = rand() < 0.7;
      let pid = 0;
      const n = int(rand, 1, span.records);
      const f = cli(
        flushArgs(j),
        frozen ? { BINLOG_FLUSHER_FAULT: `journal@${n}:SIGSTOP` } : {},
        (x) => (pid = x),
      );
      const appeared = await waitFor(() => existsSync(j), 30_000);
      if (frozen)
        await waitFor(() => procState(pid) === 'T' || journalRecords(j) >= span.records + 2, 30_000);
      else await sleep(int(rand, 0, Math.max(0, span.work - (span.ms - span.work))));
      const short = rand() < 0.4;
      const r = appeared
        ? startCli(recoverArgs(j, short ? ['--lock-wait', '0'] : []), {
            entry: o.entry ?? 'src',
            timeoutMs: 180_000,
          })
        : undefined;
      if (frozen) {
        // The frozen flush goes on once recover met its lock (it waits, or is refused), or ended.
        if (r) await waitFor(() => /holds the (run )?lock/.test(r.output()) || r.ended(), 60_000);
        // The flush may have ended already (it wrote fewer records than n and never froze).
        if (pid) continueIfAlive(pid);
      }
      const [fr, rr] = await Promise.all([f, r?.done]);
      expect(fr.code === 0, `flush under a racing recover exited ${String(fr.code ?? fr.signal)}`, fr);
      if (!rr) return 'flush ended before its journal was seen';
      if (rr.code === 3) {
        expect(short, 'recover waiting for the lock was refused', rr);
        expect(
          /holds the lock binlog-flusher on this server: connection \d+/.test(rr.stderr),
          'refusal without the holder',
          rr,
        );
        result.refused += 1;
        result.contended += 1;
        return `recover refused by the run lock${frozen ? ` (flush frozen after record ${n})` : ''}`;
      }
      expect(rr.code === 0, `racing recover exited ${String(rr.code ?? rr.signal)}`, rr);
      if (!/holds the run lock/.test(rr.stdout + rr.stderr)) return 'recover came after the flush';
      result.contended += 1;
      return `recover waited for the flush${frozen ? ` (frozen after record ${n})` : ''}`;
    },
    cancel: async (j) => {
      const signal = rand() < 0.5 ? 'SIGINT' : 'SIGTERM';
      const mode = (['none', 'pause', 'cap'] as const)[int(rand, 0, 2)]!;
      const pause = `${j}.pause`;
      const extra =
        mode === 'cap'
          ? ['--max-rows-per-second', String(int(rand, 500, 4000))]
          : mode === 'pause'
            ? ['--pause-file', pause]
            : [];
      // Mostly while it changes tables (a signal before the CLI is up ends it before any change).
      const delay = int(rand, Math.max(0, span.ms - span.work - 300), span.ms);
      const pauseAt = int(rand, 0, delay);
      let pid = 0;
      const f = cli([...flushArgs(j), ...extra], {}, (x) => (pid = x));
      const timers = [
        setTimeout(() => pid && process.kill(pid, signal), delay),
        ...(mode === 'pause' ? [setTimeout(() => writeFileSync(pause, ''), pauseAt)] : []),
      ];
      const run = await f;
      timers.forEach(clearTimeout);
      rmSync(pause, { force: true });
      const how = `${signal} ${delay} ms after start${mode === 'pause' ? `, pause file from ${pauseAt} ms` : mode === 'cap' ? `, ${extra[1]} rows/s` : ''}`;
      // Before the CLI's handlers are in place the signal ends the process, before any change.
      if (run.signal === signal && !existsSync(j)) return `${how}: ended before the CLI was up`;
      expect(run.signal === null, `flush did not handle ${signal}: ended by ${String(run.signal)}`, run);
      expect(run.code === 0 || run.code === 4, `flush ended with ${String(run.code)} after ${how}`, run);
      if (!existsSync(j)) return `${how}: cancelled before its journal existed`;
      const account = await accountHeld(j, run);
      return `${how}: exit ${String(run.code)}; ${account}`;
    },
    restart: async (j) => {
      const f = cli(flushArgs(j));
      await waitFor(() => journalRecords(j) >= 3, 30_000);
      const delay = int(rand, 0, Math.floor(span.work * 0.8));
      await sleep(delay);
      await killByPidFile(sb.replica.datadir!, 'SIGKILL');
      const fr = await f;
      await startAgain(sb.replica);
      const debris = existsSync(j) ? await recoverAfterRestart(j) : '';
      return `server killed ${delay} ms into the copy; flush exited ${String(fr.code ?? fr.signal)}${debris}`;
    },
  };

  for (let i = 0; i < o.rounds; i++) {
    const kind = kinds[i]!;
    const j = tempHashfile();
    const t = Date.now();
    try {
      const what = await rounds[kind](j);
      if (!existsSync(j)) result.beforeJournal += 1;
      // The verdict, the same for every round.
      const after = await snap();
      expect(isDeepStrictEqual(after, before), `tables differ from before the round: ${diff(before, after)}`);
      const left = await withSql(sb.replica, leftovers);
      expect(left.length === 0, `left behind: ${left.join(', ')}`);
      if (existsSync(j)) {
        readJournal(j);
        const again = await cli(recoverArgs(j, ['--json']));
        expect(again.code === 0, `the last recover exited ${String(again.code)}`, again);
        const outcomes = (JSON.parse(again.stdout) as { tables: { outcome: string }[] }).tables.map(
          (x) => x.outcome,
        );
        expect(
          outcomes.every((x) => x === 'already-restored'),
          `the last recover changed something: ${outcomes.join(', ')}`,
          again,
        );
        expect(isDeepStrictEqual(await snap(), before), 'tables differ after the last recover');
      }
      result.kinds[kind] += 1;
      result.held += 1;
      log(`round ${i + 1}/${o.rounds} ${kind}: held (${what}; ${Date.now() - t} ms)`);
    } catch (e) {
      result.failure = `round ${i + 1} (${kind}, journal ${j}) failed: ${(e as Error).message}\nreplay: npm run torture -- --seed ${o.seed} --rounds ${i + 1}${kind === 'restart' ? serverLogTail(sb.replica.datadir) : ''}`;
      log(result.failure);
      break;
    }
  }
  await startReplica(sb.replica).catch(() => undefined);
  result.seconds = Math.round((Date.now() - started) / 1000);
  return result;
}

/**
 * recover's steps for engine debris (engine/restore.ts), as a DBA on the host runs them: a definition
 * without rows under the name goes back to the backup's name; rows without a definition under the
 * name are dropped through a donor definition.
 */
async function clearEngineDebris(
  sb: SandboxInfo,
  schema: string,
  table: string,
  backup: string,
): Promise<void> {
  const dir = join(sb.replica.datadir!, schema);
  const q = (n: string) => `\`${schema}\`.\`${n}\``;
  if (existsSync(join(dir, `${table}.frm`))) {
    for (const ext of ['.frm', '.par'])
      if (existsSync(join(dir, table + ext))) renameSync(join(dir, table + ext), join(dir, backup + ext));
    await withSql(sb.replica, (c) => c.query('FLUSH LOCAL TABLES'));
    return;
  }
  const donor = `${backup}_frm`;
  await withSql(sb.replica, (c) =>
    c.query(`SET sql_log_bin = 0; CREATE TABLE ${q(donor)} LIKE ${q(backup)}`),
  );
  copyFileSync(join(dir, `${donor}.frm`), join(dir, `${table}.frm`));
  await withSql(sb.replica, (c) => c.query(`SET sql_log_bin = 0; DROP TABLE ${q(table)}, ${q(donor)}`));
}

/** What the restarted server said (its crash recovery), for a failed restart round. */
function serverLogTail(datadir: string | undefined): string {
  try {
    const lines = readFileSync(join(datadir!, 'error.log'), 'utf8').trimEnd().split('\n');
    return `\n--- the replica's error log, last 25 lines\n${lines.slice(-25).join('\n')}`;
  } catch {
    return '';
  }
}

function diff(a: SchemaSnapshot, b: SchemaSnapshot): string {
  if (!isDeepStrictEqual(a.objects, b.objects))
    return `objects ${a.objects.join('|')} -> ${b.objects.join('|')}`;
  return Object.keys(a.tables)
    .filter((t) => !isDeepStrictEqual(a.tables[t], b.tables[t]))
    .join(', ');
}

export function summary(r: TortureResult): string {
  return (
    `torture: ${r.held} of ${r.rounds} rounds held (seed ${r.seed}, ${r.seconds} s): ` +
    KINDS.map((k) => `${k} ${r.kinds[k]}`).join(', ') +
    `; races in which recover met the running flush ${r.contended} (refused by the lock ${r.refused}, waited ${r.contended - r.refused}); ` +
    `flushes killed before their journal existed ${r.beforeJournal}; server crash-recovery debris cleared by recover's steps ${r.serverDebris}`
  );
}

/** SIGCONT to a process that may have exited meanwhile (then there is nothing to continue). */
function continueIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/**
 * Per table of the torture schema whose CREATE TABLE or rows lie in the run's range (the manifest's
 * coordinates), its INSERT row events there, read with the server's own binlog reader.
 */
async function rowsOfRun(sb: SandboxInfo, m: Manifest): Promise<Record<string, number>> {
  if (!m.binlog.start || !m.binlog.end) return {};
  const events = await readBinlog(sb.replica, m.binlog.start, m.binlog.end);
  const out: Record<string, number> = {};
  const prefix = `\`${TORTURE_SCHEMA}\`.\``;
  for (const e of events) {
    const create = `CREATE TABLE ${prefix}`;
    if (e.kind === 'query' && e.sql.startsWith(create)) out[e.sql.slice(create.length).split('`')[0]!] ??= 0;
  }
  for (const [printed, list] of rowsByTable(events)) {
    const name = printed.startsWith(prefix) ? printed.slice(prefix.length, -1) : printed;
    out[name] = (out[name] ?? 0) + list.length;
  }
  return out;
}
