/**
 * What a flavour's statement dialect answers: the statements, session settings, global requirements
 * and privilege names that differ between MySQL and MariaDB versions. Each flavour's module
 * (mysql.ts, mariadb.ts) builds one from the server's version; index.ts picks it.
 */
import type { ServerVersion } from '../model/version.js';

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

/** ROW format and the FULL row image: what row-based CDC consumers need (every flavour). */
export function rowSettings(privilege: string): SessionSetting[] {
  return [
    { variable: 'binlog_format', value: "'ROW'", privilege, why: 'rows as row events' },
    { variable: 'binlog_row_image', value: "'FULL'", privilege, why: 'every column in every row event' },
  ];
}
