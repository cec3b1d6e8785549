/**
 * What a flavour answers: every difference between server lines (statements, session settings,
 * global requirements, privilege names, GTID notation and placement, information_schema fields, the
 * default-expression and value-type rules). FlavourFacts hold what a flavour answers whatever its
 * version; a Dialect adds what depends on the version. Each flavour's module (mysql.ts, mariadb.ts) is
 * a FlavourModule; index.ts registers them by name, tells a server's flavour and picks its module.
 * Nothing outside src/flavours asks which flavour a server is (scripts/check-layers.mjs refuses it).
 */
import type { ServerVersion } from '../model/version.js';
import type { GtidPlacement } from '../model/settings.js';
import type { InfoSchemaFields, ServerFactExprs, TimeBound } from '../sql/reads.js';
import type { KindRefusal, TableKindRules } from './rules.js';

/** A session variable every flush session sets (when the server has it and it differs). */
export interface SessionSetting {
  variable: string;
  /** SQL literal. */
  value: string;
  /** Who may set it: named in preflight's fix. */
  privilege: string;
  /** Why, for the reader of the dialect table. */
  why: string;
}

/** A global setting a flush needs but cannot set per session: preflight refuses until it holds. */
export interface GlobalRequirement {
  variable: string;
  /** The values that are fine (upper case; '1'/'0' read as ON/OFF). */
  okValues: string[];
  why: string;
  fix: string;
}

/** How verify reads the column types the flavours store differently (verify/columns.ts). */
export interface ValueTypes {
  /** JSON is a type of its own (MySQL's binary JSON), not an alias of LONGTEXT (MariaDB). */
  nativeJson: boolean;
  /** Types of the flavour's own that verify compares in their own canonical form (MariaDB's INET4, INET6, UUID). */
  ownTypes: string[];
}

/** What a DBA runs so that no other server applies the flush's GTIDs (plan/gtid.ts's report). */
export interface GtidAdvice {
  placement: string;
  steps: Array<{ where: string; sql: string }>;
}

/** What a flavour answers whatever the server's version. */
export interface FlavourFacts {
  /** The server line's name in messages ("this is MySQL"). */
  label: string;
  /** The exact set of the GTIDs a run's transactions got, in the flavour's notation. */
  gtidSetOf(gtids: string[]): string;
  /** A SELECT the server stops after a time limit. */
  boundedSelect: TimeBound;
  /** How to make the binlog live longer (preflight's retention warning). */
  retentionFix: string;
  /** The variable that says whether the applier's changes are binlogged. */
  logsAppliedVariable: string;
  valueTypes: ValueTypes;
  /**
   * Whether a COLUMN_DEFAULT (not NULL) is an expression, given the column's EXTRA (upper case or
   * not): CURRENT_TIMESTAMP is not (it is not refused by BLACKHOLE).
   */
  isDefaultExpression(dflt: string, extra: string): boolean;
  /** The system table of accounts and their privileges (readable with SELECT on it). */
  accountsTable: string;
  /**
   * The GTIDs the server executed since a set (`?`), as `g`, where its executed set tells (MySQL's
   * GTID_SUBTRACT); undefined where it cannot (MariaDB's positions hold one number per domain).
   */
  gtidsExecutedSince: string | undefined;
}

/** MariaDB's GTID domains: what preflight reads and the session sets. */
export interface GtidDomains {
  /** The server's own domain, the position its appliers reached, and strict mode. */
  variables: { own: string; applied: string; strict: string };
  /** The domains a position names. */
  domainsOf(position: string): number[];
  /** The session setting that puts the flush's transactions in `domain`. */
  session(domain: number): SessionSetting;
}

export interface Dialect extends FlavourFacts {
  version: ServerVersion;
  /** Session settings of every flush session (see session.ts), in the order they are set. */
  sessionSettings: SessionSetting[];
  /** Global settings checked by preflight. */
  globalRequirements: GlobalRequirement[];
  /** Stops the applier of every replication channel (MariaDB: every named connection too). */
  stopReplica: string;
  startReplica: string;
  /**
   * The applier alone (every channel's or connection's SQL thread), the receiver left fetching: what
   * a flush in windows stops and starts per window (it stops at a transaction boundary).
   */
  stopApplierOnly: string;
  startApplierOnly: string;
  showReplicaStatus: string;
  showBinlogStatus: string;
  /** Lists replicas connected to this server, or undefined where there is no such statement. */
  showReplicas: string;
  /** Column names in the replica status row. */
  replicaCols: {
    ioRunning: string;
    sqlRunning: string;
    sourceHost: string;
    sourceLogFile: string;
    execSourceLogPos: string;
    /** The applier's lag behind its source, in seconds; NULL when unknown (applier or receiver not running). */
    secondsBehind: string;
  };
  /** Whether the applier commits in the source's order (a flush in windows needs it: see CommitOrder). */
  commitOrder: CommitOrder;
  /** Expression giving the server's executed GTID set / binlog GTID position. */
  gtidExecutedExpr: string;
  /** Expression telling whether GTIDs are in use. */
  gtidModeExpr: string;
  /** The privilege that allows SET sql_log_bin (for messages). */
  sqlLogBinPrivilege: string;
  blackholeFix: string;
  /** Privilege names (as information_schema.USER_PRIVILEGES spells them) and what each is for. */
  privileges: {
    replicaAdmin: string[];
    binlogStatus: string;
    binlogEvents: string;
    replicaStatus: string;
    replicaHosts: string;
    /** Any one of these lets a session write while read_only is ON. */
    readOnlyBypass: string[];
    /** Needed to switch read_only. */
    setReadOnly: string;
  };
  /** MySQL keeps CHECK constraint names unique per schema; MariaDB per table. */
  checkNamesPerSchema: boolean;
  /** GTID tags (`SET gtid_next = 'AUTOMATIC:tag'`): MySQL 8.3 and later. */
  gtidTags: boolean;
  /**
   * The session setting of a GTID tag, where the flavour has tags in some version (MySQL; `gtidTags`
   * says whether this version has them); undefined where it has none (MariaDB).
   */
  gtidTagging: { session(tag: string): SessionSetting } | undefined;
  /** GTID domains (MariaDB); undefined where the flavour has none. */
  gtidDomains: GtidDomains | undefined;
  /** Every binlogged transaction gets a GTID whatever the GTID mode (MariaDB). */
  gtidsAlwaysOn: boolean;
  /**
   * How a session learns the GTID its commit got: a session tracker set once, whose GTIDs come back
   * in each reply (MySQL), or a query after each commit (MariaDB's @@last_gtid).
   */
  ownGtids: { tracker: SessionSetting } | { query: string };
  /** Where a replica's applied GTIDs are: a column of its status row, or an expression. */
  appliedGtids: { column: string } | { expression: string };
  /** The status rows of every replication channel or connection of a replica. */
  allReplicasStatus: string;
  /** The server facts' expressions (serverFacts in sql/reads.ts). */
  serverFactExprs: ServerFactExprs;
  /** information_schema fields by version. */
  infoSchemaFields: InfoSchemaFields;
  /** What a DBA runs so that no other server applies the flush's GTIDs (`written`: their set). */
  gtidAdvice(
    g: GtidPlacement | undefined,
    written: string,
    self: { serverId: number; endFile: string; domainInput?: string },
  ): GtidAdvice;
}

/**
 * Whether the applier commits the source's transactions in the source's order: a flush in windows
 * (issue 27) relies on it, so that a chunk copied while the applier is stopped holds each row as it
 * was after exactly the transactions before it in this replica's binlog, and the applier stops and
 * restarts at one point of the source's history, not with gaps.
 */
export interface CommitOrder {
  /** The global variables the rule reads (their values upper case, as preflight reads them). */
  variables: string[];
  /**
   * Why the applier may commit out of the source's order, and the fix; undefined: in order.
   * `domains`: the GTID domains the replica applies (MariaDB's gtid_slave_pos; [] where none).
   */
  outOfOrder(values: ReadonlyMap<string, string>, domains: readonly number[]): KindRefusal | undefined;
}

/** One server line: how it is told from the version string, its facts, its dialect and its rules. */
export interface FlavourModule extends FlavourFacts {
  /**
   * What names the flavour in the version string or comment (tested on both), or 'otherwise': the
   * flavour of a server no other flavour claims (exactly one module says so).
   */
  recognise: RegExp | 'otherwise';
  dialect(v: ServerVersion): Dialect;
  rules(v: ServerVersion): TableKindRules;
}

/** ROW format and the FULL row image: what row-based CDC consumers need (every flavour). */
export function rowSettings(privilege: string): SessionSetting[] {
  return [
    { variable: 'binlog_format', value: "'ROW'", privilege, why: 'rows as row events' },
    { variable: 'binlog_row_image', value: "'FULL'", privilege, why: 'every column in every row event' },
  ];
}
