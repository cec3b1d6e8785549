/**
 * Preflight: every check runs before the first change, and every failure is reported with its fix.
 * Read-only, apart from session variables and the server-side run lock (held by the session until it
 * closes: see db/run-lock.ts).
 */
import { existsSync } from 'node:fs';
import type { Db } from '../db/connection.js';
import { InputError, type PreflightFailure } from '../model/errors.js';
import { canToggleSqlLogBin, lockWaitFor, prepareSession } from '../db/session.js';
import { gtidSessionSettings } from './gtid.js';
import { isLeftoverName, isOurBackupName } from '../model/table-names.js';
import { acquireRunLock } from '../db/run-lock.js';
import type { Logger } from '../model/log.js';
import { chooseKey, discover, type Discovery } from './plan.js';
import { CHUNK_BYTES, selectsSchema, type FlushSettings } from '../model/settings.js';
import { rulesFor } from '../flavours/index.js';
import { currentGrants, missingSchemaPrivileges, refusalOf, type Grants } from '../inspect/grants.js';
import { FIRST_BINLOG_EVENT } from '../sql/reads.js';
import { downstreamReplicas, replicaStatus, type ReplicaStatus } from '../inspect/replication.js';
import {
  engineSupport,
  globalStatusExists,
  globalVariables,
  readServer,
  type ServerFacts,
} from '../inspect/server.js';
import { listSchemas, listTables } from '../inspect/tables.js';
import { localWriters, type OtherSession } from '../inspect/writers.js';
import { shapeOf, tableShapes } from '../inspect/shapes.js';
import type { TableShape } from '../model/table.js';
import type { Dialect } from '../flavours/index.js';
import { namesOf, type Names } from '../model/input-names.js';
import { readWindowFacts, windowFailures } from './window-checks.js';

export interface PreflightReport {
  facts: ServerFacts;
  replica?: ReplicaStatus;
  downstream: string[];
  discovery: Discovery;
  shapes: Map<string, TableShape>;
  failures: PreflightFailure[];
  warnings: string[];
}

/** What every check of the preflight shares: the session, the settings, and where failures go. */
interface Checks {
  db: Db;
  s: FlushSettings;
  facts: ServerFacts;
  d: Dialect;
  /** What the user calls each input (a `--flag`, or an action input). */
  n: Names;
  fail: (check: string, message: string, fix: string) => void;
  failed: (check: string) => boolean;
  warn: (text: string) => void;
}

export async function preflight(db: Db, s: FlushSettings, log?: Logger): Promise<PreflightReport> {
  const failures: PreflightFailure[] = [];
  const warnings: string[] = [];
  const facts = await readServer(db);
  const c: Checks = {
    db,
    s,
    facts,
    d: facts.dialect,
    n: namesOf(s),
    fail: (check, message, fix) => failures.push({ check, message, fix }),
    failed: (check) => failures.some((f) => f.check === check),
    warn: (text) => warnings.push(text),
  };
  await checkBrakeStatus(db, s);
  // First, so that every check below sees a server no other run of ours is changing.
  const lock = await acquireRunLock(db, s.lockWait, log, namesOf(s));
  if (lock) failures.push(lock);
  await serverChecks(c);
  // The tables of ours found below are then that run's, set aside right now: not an earlier run's.
  const replica = await replicaChecks(c);
  const grants = await privilegeChecks(c, replica);
  if (s.windows)
    failures.push(
      ...windowFailures(await readWindowFacts(db, c.d, s.windows, replica, grants.global, c.n), c.n),
    );
  const downstream = await downstreamChecks(c);
  await gtidChecks(c);
  const { discovery, shapes } = await selectionChecks(c, grants, lock?.heldBy === 'run');
  const writers = await writerChecks(db, s, facts, grants, discovery);
  failures.push(...writers.failures);
  warnings.push(...writers.warnings);
  bigTableWarnings(c, discovery);
  return { facts, replica, downstream, discovery, shapes, failures, warnings };
}

/**
 * Where the flush's GTIDs go (plan/gtid.ts): a domain only on MariaDB, one no source writes; a tag only
 * on MySQL 8.3+ with GTIDs on. On MariaDB in strict mode the flush must have its own domain: its
 * transactions in the source's domain would stop the applier at the source's next transaction.
 */
async function gtidChecks({ db, s, facts, d, n, fail, warn }: Checks): Promise<void> {
  const g = s.gtid;
  const domains = d.gtidDomains;
  if (g?.domainId !== undefined && !domains)
    fail(
      'gtid-domain-id',
      `GTID domains are MariaDB's; this is ${d.label}`,
      `drop ${n.name('gtid-domain-id')} (on MySQL 8.3+, ${n.name('gtid-tag')})`,
    );
  if (g?.tag !== undefined && !d.gtidTagging)
    fail(
      'gtid-tag',
      `GTID tags are MySQL 8.3+'s; this is ${d.label}`,
      `drop ${n.name('gtid-tag')} (on MariaDB, ${n.name('gtid-domain-id')})`,
    );
  if (g?.tag !== undefined && d.gtidTagging) {
    if (!d.gtidTags)
      fail(
        'gtid-tag',
        `GTID tags need MySQL 8.3 or later; this is ${d.version.text}`,
        `drop ${n.name('gtid-tag')}`,
      );
    else if (!facts.gtidOn) fail('gtid-tag', 'GTID tags need gtid_mode=ON', `drop ${n.name('gtid-tag')}`);
  }
  const names = domains?.variables;
  const vars = names
    ? await globalVariables(db, [names.own, names.applied, names.strict])
    : new Map<string, string>();
  if (domains && names && g?.domainId !== undefined) {
    const own = Number(vars.get(names.own));
    const replicated = domains.domainsOf(vars.get(names.applied) ?? '');
    if (g.domainId === own || replicated.includes(g.domainId)) {
      fail(
        'gtid-domain-id',
        `GTID domain ${g.domainId} is ${g.domainId === own ? "this server's own domain" : 'written by a source of this replica'} (gtid_slave_pos has ${replicated.join(', ') || 'none'})`,
        `give ${n.name('gtid-domain-id')} a number no server of the topology writes in`,
      );
    }
  }
  if (names && g?.domainId === undefined && vars.get(names.strict) === 'ON') {
    fail(
      'gtid-domain-id',
      "gtid_strict_mode is ON: the flush's transactions in the source's GTID domain would stop the applier at the source's next transaction (out-of-order sequence number)",
      `pass ${n.name('gtid-domain-id')} N with a domain no server writes in`,
    );
  }
  if (facts.gtidOn && !g) {
    warn(
      `GTIDs are on: the flush's transactions are this replica's own (errant) transactions. ` +
        `${domains ? `Pass ${n.name('gtid-domain-id')} N to put them in a domain of their own` : `On MySQL 8.3+, ${n.name('gtid-tag')} T makes them recognisable`}; ` +
        'the statements that keep other servers from applying them are printed at the end',
    );
  }
}

/** The journal path, binary logging, the session's settings, BLACKHOLE. */
async function serverChecks({ db, s, facts, d, n, fail, warn }: Checks): Promise<void> {
  if (s.hashfile && existsSync(s.hashfile)) {
    const message = `the journal ${s.hashfile} already exists: it may belong to an unfinished run`;
    const fix = `recover with it (${recoverWith(n, '...')}) or give a new ${n.name('hashfile')} path`;
    // A dry run writes no journal: the path is no reason to refuse it, but the real run will be.
    if (s.dryRun) warn(`${message}; the real run would be refused (${fix})`);
    else fail('hashfile', message, fix);
  }
  if (!facts.logBin) {
    fail(
      'log-bin',
      'binary logging is off on this server, so nothing can be flushed to it',
      'start the replica with log-bin (and log-replica-updates / log-slave-updates)',
    );
  }
  for (const p of await prepareSession(db, d, lockWaitFor(s.timeout), gtidSessionSettings(s, d))) {
    fail(
      p.variable,
      `this session cannot set ${p.variable}: ${p.error}`,
      `grant the flush user ${p.privilege}, which lets a session set ${p.variable}`,
    );
  }
  const globals = await globalVariables(
    db,
    d.globalRequirements.map((g) => g.variable),
  );
  for (const g of d.globalRequirements) {
    const value = globals.get(g.variable);
    if (value !== undefined && !g.okValues.includes(value)) {
      fail(g.variable, `${g.variable} is ${value}: ${g.why}`, g.fix);
    }
  }
  const logBinErr = await canToggleSqlLogBin(db);
  if (logBinErr) {
    fail(
      'sql_log_bin',
      `this session cannot switch binary logging off for its renames: ${logBinErr}`,
      `grant the flush user ${d.sqlLogBinPrivilege}`,
    );
  }
  const bh = await engineSupport(db, 'BLACKHOLE');
  if (bh !== 'YES' && bh !== 'DEFAULT') {
    fail('blackhole', 'the BLACKHOLE storage engine is not available on this server', d.blackholeFix);
  }
}

/** A replica (unless allowed otherwise), whose applier is stopped by us or already. */
async function replicaChecks({ db, s, d, n, fail, failed }: Checks): Promise<ReplicaStatus | undefined> {
  const replica = await replicaStatus(db, d).catch((e: Error) => {
    fail(
      'replica-status',
      `cannot read the replica status: ${e.message}`,
      `grant the flush user ${d.privileges.replicaStatus}`,
    );
    return undefined;
  });
  if (!replica && !failed('replica-status') && !s.allowPrimary) {
    fail(
      'replica',
      'this server is not a replica: binlog-flusher renames every selected table and must not run on a primary',
      `run it against a replica whose applier can be stopped; pass ${n.on('allow-primary')} only if no application writes to these tables`,
    );
  }
  if (replica?.sqlRunning && !s.replication.stopReplica) {
    fail(
      'applier',
      `the replica applier (SQL thread) is running and ${n.off('stop-replica')} was given: replicated writes would land in a BLACKHOLE twin and be lost`,
      `drop ${n.off('stop-replica')} (the applier is stopped by default), or stop the replica yourself first`,
    );
  }
  return replica;
}

/** What the run reads of the binlog, and the applier's stop and start. */
async function privilegeChecks(
  { db, s, d, fail }: Checks,
  replica: ReplicaStatus | undefined,
): Promise<Grants> {
  const probe = async (sql: string, privilege: string, why: string) => {
    const refused = await refusalOf(db, sql);
    if (refused !== undefined) {
      fail(
        'privilege',
        `this user cannot run ${sql.split(' LIMIT')[0]} (${why}): ${refused}`,
        `GRANT ${privilege} ON *.* TO the flush user`,
      );
    }
  };
  await probe(d.showBinlogStatus, d.privileges.binlogStatus, 'to record binlog coordinates');
  await probe(FIRST_BINLOG_EVENT, d.privileges.binlogEvents, 'to check a retried chunk against the binlog');
  const grants = await currentGrants(db);
  // A flush in windows checks it with its own (window-checks.ts): stopped and started per window.
  if (replica && !s.windows && (s.replication.stopReplica || s.replication.startReplica)) {
    if (!d.privileges.replicaAdmin.some((p) => grants.global.has(p))) {
      fail(
        'privilege',
        `this user may not stop or start the replica applier`,
        `GRANT ${d.privileges.replicaAdmin[0]} ON *.* TO the flush user`,
      );
    }
  }
  return grants;
}

/** Replicas reading this server's binlog would apply the flush. */
async function downstreamChecks({ db, s, d, n, fail }: Checks): Promise<string[]> {
  let downstream: string[] = [];
  try {
    downstream = await downstreamReplicas(db, d);
  } catch (e) {
    if (!s.allowDownstream) {
      fail(
        'privilege',
        `this user cannot list the replicas reading this server's binlog: ${(e as Error).message}`,
        `GRANT ${d.privileges.replicaHosts} ON *.* TO the flush user, or pass ${n.on('allow-downstream')} if you know none reads it`,
      );
    }
  }
  if (downstream.length && !s.allowDownstream) {
    fail(
      'downstream',
      `replicas read this server's binlog (${downstream.join('; ')}): they would apply the flush (create tables and insert every row again)`,
      `detach them first, or pass ${n.on('allow-downstream')} if they are CDC readers that expect the flush`,
    );
  }
  return downstream;
}

/**
 * The refusal for tables an earlier run left. Its fix is the true next step for each kind, so that
 * preflight and recover never send the user to each other: recover puts set-aside tables back and
 * drops what the journal proves is its own and empty; what recover leaves (it says why) or what
 * has no journal any more is for the DBA, and a set-aside table is never to be dropped.
 */
export function leftoversFailure(leftovers: { schema: string; table: string }[]): {
  message: string;
  fix: string;
} {
  const names = leftovers.map((t) => `${t.schema}.${t.table}`);
  const listed = `${names.slice(0, 10).join(', ')}${names.length > 10 ? `, and ${names.length - 10} more` : ''}`;
  const backups = leftovers.filter((t) => isOurBackupName(t.table));
  const parked = leftovers.length - backups.length;
  const steps = ["run `binlog-flusher recover --hashfile <that run's journal>` first"];
  if (backups.length) {
    steps.push(
      `${backups.length} of them ${backups.length === 1 ? 'is a table' : 'are tables'} set aside (holding the real rows): recover renames ${backups.length === 1 ? 'it' : 'them'} back; never drop ${backups.length === 1 ? 'it' : 'them'}`,
    );
  }
  if (parked) {
    steps.push(
      `the parked twins and shells (names ending _tw or _sh) are that run's own tables: recover drops those its journal proves it created and finds empty; ` +
        'one it leaves (it says why, such as rows someone wrote into it), or one whose journal is lost, is yours to check and drop by hand (SET sql_log_bin = 0; DROP TABLE ...)',
    );
  }
  return {
    message: `tables of an earlier, unfinished run are on the server: ${listed}`,
    fix: steps.join('; '),
  };
}

/**
 * Tables of ours while another run holds the run lock: that run's own, set aside now. Recovering them
 * under it would be wrong; it puts them back itself.
 */
export function inProgressFailure(names: string[]): { message: string; fix: string } {
  const listed = `${names.slice(0, 10).join(', ')}${names.length > 10 ? `, and ${names.length - 10} more` : ''}`;
  return {
    message: `the run that holds the run lock has tables set aside right now: ${listed}`,
    fix: 'let that run finish (it puts them back itself) and try again; do not recover while it runs',
  };
}

/**
 * Leftovers of an earlier run (or, while `anotherRun` holds the run lock, that run's tables), the
 * selection itself, and the privileges on its schemas.
 */
async function selectionChecks(
  { db, s, d, n, fail }: Checks,
  grants: Grants,
  anotherRun: boolean,
): Promise<{ discovery: Discovery; shapes: Map<string, TableShape> }> {
  const allTables = await listTables(db);
  const leftovers = allTables.filter((t) => isLeftoverName(t.name));
  if (leftovers.length && anotherRun) {
    const f = inProgressFailure(leftovers.map((t) => `${t.schema}.${t.name}`));
    fail('leftovers', f.message, f.fix);
  } else if (leftovers.length) {
    const f = leftoversFailure(leftovers.map((t) => ({ schema: t.schema, table: t.name })));
    const fix =
      n.surface === 'action'
        ? f.fix.replace(
            "run `binlog-flusher recover --hashfile <that run's journal>` first",
            `recover with that run's journal first (${recoverWith(n, '')})`,
          )
        : f.fix;
    fail('leftovers', f.message, fix);
  }
  const schemas = await listSchemas(db);
  const selectedSchemas = schemas.filter((x) => selectsSchema(s.selection, x));
  const shapes = await tableShapes(db, d.version, selectedSchemas);
  const discovery = discover(s.selection, allTables, schemas, (sc, t) => shapeOf(shapes, sc, t));
  for (const p of discovery.problems)
    fail('selection', selectionNames(p.message, n), selectionNames(p.fix, n));
  const rules = rulesFor(d.version);
  for (const { row, shape } of discovery.tables) {
    const no = rules.refusal(shape);
    if (no)
      fail('table-kind', `${row.schema}.${row.name}: ${no.message}`, `${leaveOut(n, row)}, or ${no.fix}`);
  }
  for (const schema of new Set(discovery.tables.map((t) => t.row.schema))) {
    const missing = missingSchemaPrivileges(grants, schema);
    if (missing.length) {
      fail(
        'privilege',
        `this user lacks ${missing.join(', ')} on schema ${schema}`,
        `GRANT ${missing.join(', ')} ON \`${schema.replaceAll('`', '``')}\`.* TO the flush user`,
      );
    }
  }
  return { discovery, shapes };
}

/** Only where it matters: a table smaller than one chunk is one transaction anyway. */
function bigTableWarnings({ d, warn }: Checks, discovery: Discovery): void {
  const rules = rulesFor(d.version);
  for (const { row, shape } of discovery.tables) {
    if (row.dataLength >= CHUNK_BYTES && !chooseKey(rules, shape.indexes)) {
      const mb = row.dataLength / 1048576;
      warn(
        `${row.schema}.${row.name} has no primary key or NOT NULL unique key: copied in one transaction${shape.partitions.length ? ' per partition' : ''} (about ${mb.toFixed(1)} MiB); check max_binlog_cache_size`,
      );
    }
  }
}

/**
 * Who else can write into a table while it is set aside (and see it vanish into the twin). The run
 * turns read_only ON (unless told not to), which refuses every session without a bypass privilege;
 * what can still write despite it is listed here. Enabled events that write into the selection run
 * on their own: refused unless --allow-writers. Other sessions holding a bypass privilege (an
 * operator's shell, a monitoring agent) and triggers on other tables that write into these only
 * write when someone tells them to: warnings, naming each.
 */
async function writerChecks(
  db: Db,
  s: FlushSettings,
  facts: ServerFacts,
  grants: { global: Set<string> },
  discovery: Discovery,
): Promise<{ failures: PreflightFailure[]; warnings: string[] }> {
  const failures: PreflightFailure[] = [];
  const warnings: string[] = [];
  const d = facts.dialect;
  const bypass = d.privileges.readOnlyBypass;
  const n = namesOf(s);
  const override = `or pass ${n.on('allow-writers')} to run anyway`;
  const refuseOrWarn = (check: string, message: string, fix: string) => {
    if (s.allowWriters) warnings.push(`${message} (${n.on('allow-writers')}: running anyway)`);
    else failures.push({ check, message, fix: `${fix}, ${override}` });
  };
  readOnlyChecks(s, facts, grants, failures, warnings);
  const flushed = discovery.tables.map((t) => ({ schema: t.row.schema, table: t.row.name }));
  if (flushed.length === 0) return { failures, warnings };
  const w = await localWriters(db, d, flushed);
  if (!grants.global.has('PROCESS')) {
    warnings.push(
      `this user cannot see other sessions (no PROCESS privilege), so it cannot tell whether one holding ${bypass.join(' or ')} could write into a set-aside table; grant PROCESS to have them listed`,
    );
  }
  const strong = w.sessions.filter((x) => x.bypass && x.bypass.length > 0);
  if (strong.length) {
    warnings.push(
      `${strong.length} other session(s) may write despite read_only (${bypass.join(' / ')}); a write of theirs into a table while it is set aside would be lost, so make sure they write nothing into the selected tables during the run: ${describeSessions(strong)}`,
    );
  }
  const unknown = w.sessions.filter((x) => x.bypass === undefined);
  if (unknown.length) {
    warnings.push(
      `${unknown.length} other session(s) are connected whose privileges this user cannot read (grant SELECT on ${d.accountsTable} to check them): ${describeSessions(unknown)}; ` +
        `any of them holding ${bypass.join(' or ')} could write into a set-aside table and lose the rows`,
    );
  }
  if (w.events.length) {
    refuseOrWarn(
      'writers',
      `the event scheduler is ON and these enabled events may write into the selected tables: ${w.events
        .map((e) => `${e.schema}.${e.name} (definer ${e.definer})`)
        .join(', ')}`,
      'disable them for the duration (ALTER EVENT ... DISABLE, or SET GLOBAL event_scheduler = OFF)',
    );
  }
  for (const t of w.triggers) {
    warnings.push(
      `trigger ${t.schema}.${t.name} on ${t.on} writes into ${t.into.join(', ')}: a write into ${t.on} by a session that may write despite read_only would lose that row while the table is set aside`,
    );
  }
  return { failures, warnings };
}

/** read_only itself: may this user switch it and write under it, and what leaving it OFF risks. */
function readOnlyChecks(
  s: FlushSettings,
  facts: ServerFacts,
  grants: { global: Set<string> },
  failures: PreflightFailure[],
  warnings: string[],
): void {
  const d = facts.dialect;
  const n = namesOf(s);
  const bypass = d.privileges.readOnlyBypass;
  superReadOnlyChecks(s, facts, grants, failures);
  const willBeReadOnly = facts.readOnly || s.setReadOnly;
  if (willBeReadOnly && !bypass.some((p) => grants.global.has(p))) {
    failures.push({
      check: 'read-only',
      message: `${facts.readOnly ? 'read_only is ON' : 'the run turns read_only ON'} and this user has no privilege that may write under it`,
      fix: `GRANT ${bypass[0]} ON *.* TO the flush user${facts.readOnly ? '' : `, or pass ${n.off('set-read-only')} and accept that other sessions can write into set-aside tables`}`,
    });
  }
  if (
    !facts.readOnly &&
    s.setReadOnly &&
    !grants.global.has(d.privileges.setReadOnly) &&
    !grants.global.has('SUPER')
  ) {
    failures.push({
      check: 'read-only',
      message: 'this user may not turn read_only ON for the run',
      fix: `GRANT ${d.privileges.setReadOnly} ON *.* TO the flush user, or SET GLOBAL read_only = ON yourself for the duration`,
    });
  }
  if (!facts.readOnly && !s.setReadOnly) {
    warnings.push(
      `read_only stays OFF (${n.off('set-read-only')}): any session that writes into a table while it is set aside writes into its BLACKHOLE twin, and those rows are lost`,
    );
  }
}

/**
 * super_read_only (MySQL) refuses even the run's own renames. The run turns it OFF for its duration,
 * read_only staying ON (see engine/server-settings.ts), which needs the privilege to switch it;
 * --no-set-read-only touches neither switch, so then it is refused.
 */
function superReadOnlyChecks(
  s: FlushSettings,
  facts: ServerFacts,
  grants: { global: Set<string> },
  failures: PreflightFailure[],
): void {
  if (!facts.superReadOnly) return;
  const n = namesOf(s);
  const priv = facts.dialect.privileges.setReadOnly;
  const byHand = 'SET GLOBAL super_read_only = OFF yourself for the duration (read_only may stay ON)';
  if (!s.setReadOnly) {
    failures.push({
      check: 'read-only',
      message: `super_read_only is ON: no session may rename or create tables, and ${n.off('set-read-only')} keeps the run from turning it OFF`,
      fix: `drop ${n.off('set-read-only')} so that the run turns super_read_only OFF, keeps read_only ON, and puts it back at the end; or ${byHand}`,
    });
  } else if (!grants.global.has(priv) && !grants.global.has('SUPER')) {
    failures.push({
      check: 'read-only',
      message:
        'super_read_only is ON (no session may rename or create tables) and this user may not turn it OFF for the run',
      fix: `GRANT ${priv} ON *.* TO the flush user (the run turns super_read_only OFF, keeps read_only ON, and puts it back at the end), or ${byHand}`,
    });
  }
}

/** How a user of this surface recovers with a journal (`journal`: how the CLI command names it). */
function recoverWith(n: Names, journal: string): string {
  return n.surface === 'action'
    ? "the action with mode: recover and that run's artifact-name or hashfile"
    : `\`binlog-flusher recover --hashfile ${journal}\``;
}

/** How this surface's user leaves one table out of the run (the table's own fix follows). */
function leaveOut(n: Names, row: { schema: string; name: string }): string {
  const name = `${row.schema}.${row.name}`;
  return n.surface === 'action'
    ? `leave the table out (add ${name} to the ${n.name('skip')} input)`
    : `leave the table out (add ${name} to ${n.name('skip')}, e.g. ${n.name('skip')} ${name})`;
}

/**
 * The selection's messages (plan.ts words them with the command line's flags) in the words of the
 * surface the selection came from.
 */
function selectionNames(text: string, n: Names): string {
  if (n.surface === 'cli') return text;
  return text
    .replace(/--db\b/g, n.name('databases'))
    .replace(/--table\b/g, n.name('tables'))
    .replace(/--skip\b/g, n.name('skip'));
}

/**
 * The load brake and the critical load watch a status the server has (SHOW GLOBAL STATUS): a name it
 * does not have would read as 0 forever, and neither would ever act. Bad input: refused at once,
 * before the run lock.
 */
async function checkBrakeStatus(db: Db, s: FlushSettings): Promise<void> {
  const c = s.controls;
  const n = namesOf(s);
  const watched = [
    ...(c?.brakeLimit !== undefined
      ? [{ input: n.name('max-load'), status: c.brakeStatus, what: 'the brake could never engage' }]
      : []),
    ...(c?.criticalLoad
      ? [
          {
            input: n.name('critical-load'),
            status: c.criticalLoad.status,
            what: 'the run could never end on it',
          },
        ]
      : []),
  ];
  for (const w of watched) {
    if (await globalStatusExists(db, w.status)) continue;
    throw new InputError(
      w.input,
      `this server has no status ${w.status} (SHOW GLOBAL STATUS does not list it), so ${w.what}; ` +
        'give a status SHOW GLOBAL STATUS lists, e.g. Threads_running=25',
    );
  }
}

function describeSessions(xs: OtherSession[]): string {
  const shown = xs
    .slice(0, 10)
    .map(
      (x) => `connection ${x.id} ${x.user}@${x.host}${x.bypass?.length ? ` (${x.bypass.join(', ')})` : ''}`,
    );
  return shown.join('; ') + (xs.length > 10 ? `; and ${xs.length - 10} more` : '');
}
