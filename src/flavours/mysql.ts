/**
 * MySQL's table kinds (8.0 to 9.7): what its BLACKHOLE engine refuses, and what the twin does instead.
 * Each rule says what MySQL 9.7.4 answered (seen) and why the row events stay the same; the scenario
 * folders test/scenarios/my-* exercise each one, and the scenario runner compares every flushed
 * table's row events with those of a real copy of the table (binlog_row_metadata=FULL included).
 *
 * Why leaving these out of the twin cannot change a row event: a row event carries the values of
 * every column in table order, typed by the table map (type, metadata, nullability; with
 * binlog_row_metadata=FULL also signedness, charsets, names, ENUM/SET members, geometry type,
 * visibility and the primary key's columns and prefixes). No index but the primary key appears in
 * it, no default, no generation expression, no SRID attribute and no secondary engine.
 */
import { atLeast, type ServerVersion } from '../model/version.js';
import { formatUuidGtids } from '../model/gtid-set.js';
import type { GtidPlacement } from '../model/settings.js';
import {
  rowSettings,
  type CommitOrder,
  type Dialect,
  type FlavourFacts,
  type FlavourModule,
  type GtidAdvice,
  type SessionSetting,
} from './dialect.js';
import { isDescending, isFunctional, primaryKey, type Index, type TableShape } from '../model/table.js';
import type { TwinEdits } from '../model/twin.js';
import {
  isNowDefault,
  keepTableMapKey,
  plainUniqueKey,
  type KindRefusal,
  type TableKindRules,
} from './rules.js';

/**
 * Indexes the twin is built without (each refused by BLACKHOLE, seen on 9.7):
 * - SPATIAL: "The used table type doesn't support SPATIAL indexes" (1464);
 * - functional key parts (8.0.13+): each is a hidden virtual generated column, "does not support the
 *   create option 'Index on virtual generated column'" (1478); dropping the index drops that hidden
 *   column, which is never in a row event;
 * - multi-valued (8.0.17+, `CAST(... AS ... ARRAY)`): "doesn't support multi-valued indexes" (1178);
 * - descending secondary indexes (8.0+): "doesn't support descending indexes" (1178).
 * The primary key is never dropped (see primaryKeyRebuild).
 */
function droppedIndexes(shape: TableShape): string[] {
  return shape.indexes
    .filter((i) => !i.primary)
    .filter((i) => i.kind === 'SPATIAL' || isFunctional(i) || i.multiValued || isDescending(i))
    .map((i) => i.name);
}

/**
 * A descending primary key is refused like any descending index (1178), but the table map names the
 * primary key's columns and prefixes with binlog_row_metadata=FULL (never their direction): the twin
 * gets an ascending primary key on the same columns with the same prefixes. (A descending unique key
 * the server takes for the primary key is rebuilt the same way: see keepTableMapKey.)
 */
function primaryKeyRebuild(shape: TableShape): TwinEdits['primaryKey'] {
  const pk = primaryKey(shape);
  if (!pk || !isDescending(pk)) return undefined;
  return { replaces: 'PRIMARY', columns: pk.parts.map((p) => ({ column: p.column!, prefix: p.prefix })) };
}

/**
 * MySQL 8.0.30+'s generated invisible primary key (`my_row_id`): every table map of such a table
 * marks it (has_generated_invisible_primary_key=1, with the column's name, visibility and the primary
 * key, even with binlog_row_metadata=MINIMAL), and MySQL marks it only on InnoDB tables: a BLACKHOLE
 * twin never carries the mark, whatever its definition (seen on 9.7). So such a table is refused.
 */
function isGipk(shape: TableShape): boolean {
  const first = shape.columns[0];
  const pk = primaryKey(shape);
  return (
    shape.engine.toUpperCase() === 'INNODB' &&
    first?.name === 'my_row_id' &&
    /^bigint(\(20\))? unsigned$/i.test(first.columnType) &&
    first.autoIncrement &&
    first.invisible &&
    pk?.parts.length === 1 &&
    pk.parts[0]!.column === 'my_row_id'
  );
}

function refusal(shape: TableShape): KindRefusal | undefined {
  if (isGipk(shape)) {
    return {
      message:
        'its generated invisible primary key (my_row_id) is marked in every table map of it ' +
        '(has_generated_invisible_primary_key=1, whatever binlog_row_metadata is), and MySQL marks it only on ' +
        'InnoDB tables, never on the BLACKHOLE twin that would log its rows',
      fix:
        'make the key an ordinary one first ' +
        '(ALTER TABLE ... ALTER COLUMN my_row_id SET VISIBLE), which changes the table for its readers too',
    };
  }
  return undefined;
}

/**
 * Columns the twin re-creates as plain columns of the same type, charset, nullability and visibility
 * at the same place (seen on 9.7 for each):
 * - generated columns: "'Specified storage engine' is not supported for generated columns" (3106);
 *   the copy writes the values the real table computed, which are the values its row events carry;
 * - expression defaults (8.0.13+, `DEFAULT (uuid_to_bin(uuid()))`): "not supported for default value
 *   expressions" (3774); the copy names every column, so no default is ever used;
 * - an SRID attribute other than 0: BLACKHOLE refuses geographic systems (1178, `SRID 4326`); the
 *   attribute only restricts which values the column accepts, and each stored geometry carries its
 *   own SRID in its value, which the copy writes as it is. Dropping and adding back (rather than
 *   MODIFY) because MySQL refuses to change an SRID while the SPATIAL index exists (3644), even in the
 *   ALTER that drops it.
 * An index over such a column stays: MySQL keeps index parts by column name across the drop and add.
 */
function plainColumns(shape: TableShape): string[] {
  return shape.columns
    .filter((c) => c.generated || c.defaultExpression || (c.srid !== undefined && c.srid !== 0))
    .map((c) => c.name);
}

export function mysqlRules(version: ServerVersion): TableKindRules {
  return {
    version,
    twinEdits: (shape) =>
      keepTableMapKey(shape, {
        plainColumns: plainColumns(shape),
        droppedIndexes: droppedIndexes(shape),
        droppedFirst: [],
        primaryKey: primaryKeyRebuild(shape),
        // "Cannot change the primary engine of a table with a defined secondary engine" (3889, also in
        // the ALTER that removes it): a HeatWave copy is not part of the row image.
        dropSecondaryEngine: shape.secondaryEngine !== undefined,
      }),
    refusal,
    canCutChunks: (i: Index) => plainUniqueKey(i),
  };
}

/* Statements and session settings */

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
    ...(atLeast(v, 8, 0, 3)
      ? [
          {
            variable: 'information_schema_stats_expiry',
            value: '0',
            privilege: 'none',
            why: "the plan's row and size estimates from the engine's statistics now, not a copy cached for up to a day",
          },
        ]
      : []),
  ];
}

/** What MySQL answers whatever its version. */
export const mysqlFacts: FlavourFacts = {
  label: 'MySQL',
  gtidSetOf: formatUuidGtids,
  boundedSelect: (ms, select) => `SELECT /*+ MAX_EXECUTION_TIME(${Math.round(ms)}) */ ${select}`,
  retentionFix:
    "SET PERSIST binlog_expire_logs_seconds = <seconds> (on RDS/Aurora: CALL mysql.rds_set_configuration('binlog retention hours', <hours>))",
  logsAppliedVariable: 'log_replica_updates',
  // MySQL's JSON is binary (a type of its own in row events); it has no INET or UUID types.
  valueTypes: { nativeJson: true, ownTypes: [] },
  // MySQL marks expression defaults and CURRENT_TIMESTAMP alike DEFAULT_GENERATED.
  isDefaultExpression: (dflt, extra) => /DEFAULT_GENERATED/i.test(extra) && !isNowDefault(dflt),
  accountsTable: 'mysql.user',
  gtidsExecutedSince: 'SELECT GTID_SUBTRACT(@@GLOBAL.gtid_executed, ?) AS g',
};

/** Every GTID the flush wrote is this replica's own: the others mark them executed. */
function mysqlGtidAdvice(g: GtidPlacement | undefined, written: string): GtidAdvice {
  return {
    placement: g?.tag ? `tagged ${g.tag}` : "untagged, under this replica's server_uuid",
    steps: written
      ? [
          {
            where:
              'on the primary and on every other replica, before this replica is promoted or any server replicates from it',
            sql: `SET GLOBAL gtid_purged = '+${written}';`,
          },
        ]
      : [],
  };
}

/** MySQL's GTID answers: tags, each session's own GTIDs from its tracker, the advice. */
function mysqlGtids(
  v: ServerVersion,
): Pick<
  Dialect,
  'gtidTags' | 'gtidTagging' | 'gtidDomains' | 'gtidsAlwaysOn' | 'ownGtids' | 'appliedGtids' | 'gtidAdvice'
> {
  return {
    gtidTags: atLeast(v, 8, 3, 0),
    gtidTagging: {
      session: (tag) => ({
        variable: 'gtid_next',
        value: `'AUTOMATIC:${tag}'`,
        privilege: 'TRANSACTION_GTID_TAG and SYSTEM_VARIABLES_ADMIN (or SESSION_VARIABLES_ADMIN)',
        why: "the flush's GTIDs carry the tag",
      }),
    },
    gtidDomains: undefined,
    gtidsAlwaysOn: false,
    ownGtids: {
      tracker: {
        variable: 'session_track_gtids',
        value: 'OWN_GTID',
        privilege: 'none',
        why: "each commit's reply carries its GTID, so the run reports exactly the GTIDs it wrote",
      },
    },
    appliedGtids: { column: 'Executed_Gtid_Set' },
    gtidAdvice: mysqlGtidAdvice,
  };
}

/**
 * MySQL's multi-threaded applier (replica_parallel_workers > 1) commits out of the source's order
 * unless replica_preserve_commit_order is ON (the manual; ON by default from 8.0.27, with 4 workers).
 * The variables are named replica_* from 8.0.26, slave_* before.
 */
function mysqlCommitOrder(v: ServerVersion): CommitOrder {
  const w = atLeast(v, 8, 0, 26) ? 'replica' : 'slave';
  const workers = `${w}_parallel_workers`;
  const preserve = `${w}_preserve_commit_order`;
  return {
    variables: [workers, preserve],
    outOfOrder(values) {
      const n = Number(values.get(workers) ?? 0);
      const on = ['ON', '1'].includes(values.get(preserve) ?? '');
      if (!(n > 1) || on) return undefined;
      return {
        message: `the multi-threaded applier (${workers}=${n}) may commit out of the source's order: ${preserve} is OFF`,
        fix: `with the applier stopped, SET PERSIST ${preserve} = ON (or ${workers} = 1)`,
      };
    },
  };
}

export function mysqlDialect(v: ServerVersion): Dialect {
  const replicaWords = atLeast(v, 8, 0, 22);
  const hasBinaryLogStatus = atLeast(v, 8, 2, 0);
  return {
    ...mysqlFacts,
    ...mysqlGtids(v),
    version: v,
    sessionSettings: mysqlSessionSettings(v),
    globalRequirements: [],
    stopReplica: replicaWords ? 'STOP REPLICA' : 'STOP SLAVE',
    startReplica: replicaWords ? 'START REPLICA' : 'START SLAVE',
    // Without FOR CHANNEL: every channel's.
    stopApplierOnly: replicaWords ? 'STOP REPLICA SQL_THREAD' : 'STOP SLAVE SQL_THREAD',
    startApplierOnly: replicaWords ? 'START REPLICA SQL_THREAD' : 'START SLAVE SQL_THREAD',
    showReplicaStatus: replicaWords ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS',
    // One row per channel.
    allReplicasStatus: replicaWords ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS',
    showBinlogStatus: hasBinaryLogStatus ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    showReplicas: replicaWords ? 'SHOW REPLICAS' : 'SHOW SLAVE HOSTS',
    replicaCols: replicaWords
      ? {
          ioRunning: 'Replica_IO_Running',
          sqlRunning: 'Replica_SQL_Running',
          sourceHost: 'Source_Host',
          sourceLogFile: 'Relay_Source_Log_File',
          execSourceLogPos: 'Exec_Source_Log_Pos',
          secondsBehind: 'Seconds_Behind_Source',
        }
      : {
          ioRunning: 'Slave_IO_Running',
          sqlRunning: 'Slave_SQL_Running',
          sourceHost: 'Master_Host',
          sourceLogFile: 'Relay_Master_Log_File',
          execSourceLogPos: 'Exec_Master_Log_Pos',
          secondsBehind: 'Seconds_Behind_Master',
        },
    commitOrder: mysqlCommitOrder(v),
    gtidExecutedExpr: '@@GLOBAL.gtid_executed',
    gtidModeExpr: '@@GLOBAL.gtid_mode',
    serverFactExprs: {
      serverUuid: '@@server_uuid',
      superReadOnly: '@@super_read_only',
      gtidMode: '@@GLOBAL.gtid_mode',
    },
    infoSchemaFields: {
      srid: atLeast(v, 8, 0, 3) ? 'SRS_ID' : 'NULL',
      visible: atLeast(v, 8, 0, 0) ? 'IS_VISIBLE' : "'YES'",
      expression: atLeast(v, 8, 0, 13) ? 'EXPRESSION' : 'NULL',
    },
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
  };
}

/** MySQL 5.7 to 9.x: what a server names no other flavour in its version is. */
export const mysqlFlavour: FlavourModule = {
  ...mysqlFacts,
  recognise: 'otherwise',
  dialect: mysqlDialect,
  rules: mysqlRules,
};
