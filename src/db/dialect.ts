/**
 * What differs between MySQL 8.0, MySQL 8.4 and MariaDB, chosen once from the server's version string.
 */
export type Flavour = 'mysql' | 'mariadb';

export interface ServerVersion {
  flavour: Flavour;
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function parseVersion(versionString: string, versionComment = ''): ServerVersion {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(versionString.trim());
  if (!m) throw new Error(`cannot read server version ${JSON.stringify(versionString)}`);
  const isMaria = /mariadb/i.test(versionString) || /mariadb/i.test(versionComment);
  return {
    flavour: isMaria ? 'mariadb' : 'mysql',
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    text: versionString,
  };
}

function atLeast(v: ServerVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

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

export interface Dialect {
  version: ServerVersion;
  /** Session settings of every flush session (see session.ts), in the order they are set. */
  sessionSettings: SessionSetting[];
  /** Global settings checked by preflight. */
  globalRequirements: GlobalRequirement[];
  /** Stops the applier of every replication channel (MariaDB: every named connection too). */
  stopReplica: string;
  startReplica: string;
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
  };
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
}

export function dialectFor(v: ServerVersion): Dialect {
  return v.flavour === 'mariadb' ? mariadbDialect(v) : mysqlDialect(v);
}

/** ROW format and the FULL row image: what row-based CDC consumers need (every flavour). */
function rowSettings(privilege: string): SessionSetting[] {
  return [
    { variable: 'binlog_format', value: "'ROW'", privilege, why: 'rows as row events' },
    { variable: 'binlog_row_image', value: "'FULL'", privilege, why: 'every column in every row event' },
  ];
}

function mariadbDialect(v: ServerVersion): Dialect {
  const binlogAdmin = atLeast(v, 10, 5, 2) ? 'BINLOG ADMIN (or SUPER)' : 'SUPER';
  return {
    version: v,
    sessionSettings: [
      ...rowSettings(binlogAdmin),
      {
        variable: 'binlog_annotate_row_events',
        value: 'OFF',
        privilege: binlogAdmin,
        why: 'no Annotate_rows event carrying our INSERT ... SELECT text (it names the backup)',
      },
    ],
    globalRequirements: atLeast(v, 10, 2, 3)
      ? [
          {
            variable: 'log_bin_compress',
            okValues: ['OFF'],
            why: 'compressed row events (MariaDB 10.2.3+) are unreadable to most CDC readers, and it is global only',
            fix: 'SET GLOBAL log_bin_compress = OFF for the flush (and for as long as a reader needs its events)',
          },
        ]
      : [],
    // ALL: a multi-source replica has one connection per source, each with its own applier.
    stopReplica: 'STOP ALL SLAVES',
    startReplica: 'START ALL SLAVES',
    showReplicaStatus: 'SHOW SLAVE STATUS',
    showBinlogStatus: 'SHOW MASTER STATUS',
    showReplicas: 'SHOW SLAVE HOSTS',
    replicaCols: {
      ioRunning: 'Slave_IO_Running',
      sqlRunning: 'Slave_SQL_Running',
      sourceHost: 'Master_Host',
      sourceLogFile: 'Relay_Master_Log_File',
      execSourceLogPos: 'Exec_Master_Log_Pos',
    },
    gtidExecutedExpr: '@@GLOBAL.gtid_binlog_pos',
    gtidModeExpr: "IF(@@GLOBAL.gtid_binlog_pos <> '' OR @@GLOBAL.gtid_slave_pos <> '', 'ON', 'OFF')",
    sqlLogBinPrivilege: atLeast(v, 10, 5, 2) ? 'BINLOG ADMIN (or SUPER)' : 'SUPER',
    blackholeFix:
      "run INSTALL SONAME 'ha_blackhole' once on the replica, or start it with --plugin-load-add=ha_blackhole",
    privileges: {
      replicaAdmin: ['REPLICATION SLAVE ADMIN', 'SUPER'],
      binlogStatus: 'BINLOG MONITOR',
      binlogEvents: 'BINLOG MONITOR',
      replicaStatus: 'SLAVE MONITOR',
      replicaHosts: 'REPLICATION MASTER ADMIN',
      // MariaDB 10.11 took READ_ONLY ADMIN out of SUPER (MDEV-29596); before, SUPER held it.
      readOnlyBypass: atLeast(v, 10, 11, 0)
        ? ['READ_ONLY ADMIN']
        : atLeast(v, 10, 5, 2)
          ? ['READ_ONLY ADMIN', 'SUPER']
          : ['SUPER'],
      setReadOnly: atLeast(v, 10, 5, 2) ? 'READ_ONLY ADMIN' : 'SUPER',
    },
    checkNamesPerSchema: false,
    gtidTags: false,
  };
}

/** MySQL's session settings by version (sources in README "Statements and privileges per flavour"). */
function mysqlSessionSettings(v: ServerVersion): SessionSetting[] {
  const restricted = atLeast(v, 8, 0, 14) ? 'SYSTEM_VARIABLES_ADMIN or SESSION_VARIABLES_ADMIN' : 'SUPER';
  const off = (variable: string, why: string, since: [number, number, number]): SessionSetting[] =>
    atLeast(v, ...since) ? [{ variable, value: 'OFF', privilege: restricted, why }] : [];
  return [
    ...rowSettings(restricted),
    ...off(
      'binlog_transaction_compression',
      'no Transaction_payload events: Maxwell, go-mysql readers, AWS DMS and GoldenGate do not read them',
      [8, 0, 20],
    ),
    ...off(
      'binlog_rows_query_log_events',
      'no Rows_query event carrying our INSERT ... SELECT text',
      [5, 6, 2],
    ),
    ...off(
      'sql_require_primary_key',
      'a shell or twin without a primary key is created as it is',
      [8, 0, 13],
    ),
    ...off(
      'sql_generate_invisible_primary_key',
      'no invisible primary key is added to a shell or twin the real table does not have',
      [8, 0, 30],
    ),
    ...(atLeast(v, 8, 0, 30)
      ? [
          {
            variable: 'show_gipk_in_create_table_and_information_schema',
            value: 'ON',
            privilege: 'none',
            why: "a generated invisible primary key is part of the table's DDL, so the shell and twin have it too",
          },
        ]
      : []),
  ];
}

function mysqlDialect(v: ServerVersion): Dialect {
  const replicaWords = atLeast(v, 8, 0, 22);
  const only84 = atLeast(v, 8, 2, 0);
  return {
    version: v,
    sessionSettings: mysqlSessionSettings(v),
    globalRequirements: [],
    stopReplica: replicaWords ? 'STOP REPLICA' : 'STOP SLAVE',
    startReplica: replicaWords ? 'START REPLICA' : 'START SLAVE',
    showReplicaStatus: replicaWords ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS',
    showBinlogStatus: only84 ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    showReplicas: replicaWords ? 'SHOW REPLICAS' : 'SHOW SLAVE HOSTS',
    replicaCols: replicaWords
      ? {
          ioRunning: 'Replica_IO_Running',
          sqlRunning: 'Replica_SQL_Running',
          sourceHost: 'Source_Host',
          sourceLogFile: 'Relay_Source_Log_File',
          execSourceLogPos: 'Exec_Source_Log_Pos',
        }
      : {
          ioRunning: 'Slave_IO_Running',
          sqlRunning: 'Slave_SQL_Running',
          sourceHost: 'Master_Host',
          sourceLogFile: 'Relay_Master_Log_File',
          execSourceLogPos: 'Exec_Master_Log_Pos',
        },
    gtidExecutedExpr: '@@GLOBAL.gtid_executed',
    gtidModeExpr: '@@GLOBAL.gtid_mode',
    sqlLogBinPrivilege: atLeast(v, 8, 0, 14)
      ? 'SYSTEM_VARIABLES_ADMIN or SESSION_VARIABLES_ADMIN (or SUPER)'
      : 'SUPER',
    blackholeFix: 'BLACKHOLE is built into MySQL; check that it is not listed in disabled_storage_engines',
    privileges: {
      replicaAdmin: ['REPLICATION_SLAVE_ADMIN', 'SUPER'],
      binlogStatus: 'REPLICATION CLIENT',
      binlogEvents: 'REPLICATION SLAVE',
      replicaStatus: 'REPLICATION CLIENT',
      replicaHosts: 'REPLICATION SLAVE',
      readOnlyBypass: ['CONNECTION_ADMIN', 'SUPER'],
      setReadOnly: 'SYSTEM_VARIABLES_ADMIN',
    },
    checkNamesPerSchema: true,
    gtidTags: atLeast(v, 8, 3, 0),
  };
}
