/**
 * MariaDB's table kinds (10.x and 11.x): what its BLACKHOLE engine refuses, and what the twin does
 * instead. Each rule says what the server answered (seen on 10.11 and 11.8) and why the row events
 * stay the same (see mysql.ts for what a row event carries); the scenario runner compares every
 * flushed table's row events with those of a real copy of the table.
 *
 * Accepted by BLACKHOLE as they are (seen): descending indexes (10.8+), IGNORED indexes, FULLTEXT,
 * VECTOR columns (11.7+), expression defaults (uuid_v7() included), INET4, INET6
 * and UUID columns, application-time periods and WITHOUT OVERLAPS keys.
 */
import { atLeast, type ServerVersion } from '../model/version.js';
import { formatMariaGtids, parseMariaPosition } from '../model/gtid-set.js';
import type { GtidPlacement } from '../model/settings.js';
import {
  rowSettings,
  type CommitOrder,
  type Dialect,
  type FlavourFacts,
  type FlavourModule,
  type GtidAdvice,
} from './dialect.js';
import { lastGtid } from '../sql/builders.js';
import type { Index, TableShape } from '../model/table.js';
import {
  isNowDefault,
  keepTableMapKey,
  plainUniqueKey,
  type KindRefusal,
  type TableKindRules,
} from './rules.js';

/**
 * Indexes the twin is built without (seen), none of them in a row event or table map: SPATIAL (error
 * 1464), a MEMORY table's HASH indexes (harmless), and VECTOR indexes (see vectorIndexes). Never the
 * primary key.
 */
function droppedIndexes(shape: TableShape): string[] {
  return shape.indexes.filter((i) => !i.primary && ['SPATIAL', 'HASH'].includes(i.kind)).map((i) => i.name);
}

/**
 * VECTOR indexes (11.7+), each an internal InnoDB table `<table>#i#<n>` (seen on 11.8.9): BLACKHOLE
 * takes one, then every INSERT fails ("Can't find record"), so the twin is built without them. They
 * go in a statement of their own, before the engine changes: dropped in the same ALTER as
 * ENGINE=BLACKHOLE, the internal table stays behind under the table's name (and so does one of a
 * BLACKHOLE table that is dropped), and the swap back then fails ("Table './s/t#i#01' already
 * exists").
 */
function vectorIndexes(shape: TableShape): string[] {
  return shape.indexes.filter((i) => !i.primary && i.kind === 'VECTOR').map((i) => i.name);
}

/**
 * Long UNIQUE keys (10.4+: a unique key too long for a B-tree, over a BLOB or TEXT, or declared
 * USING HASH; INDEX_TYPE HASH outside MEMORY): each is backed by a hidden generated column
 * DB_ROW_HASH_<n> BIGINT UNSIGNED, and the real table logs that column's value in every row event
 * (and names it in the table map) although no SELECT can read it (seen on 10.11 and 11.8). A
 * BLACKHOLE twin cannot hold it (1910), and the copy could not fill it: refused.
 */
function longUniqueKeys(shape: TableShape): string[] {
  if (shape.engine.toUpperCase() === 'MEMORY') return [];
  return shape.indexes.filter((i) => i.unique && i.kind === 'HASH').map((i) => i.name);
}

function refusal(shape: TableShape): KindRefusal | undefined {
  const keys = longUniqueKeys(shape);
  if (keys.length === 0) return undefined;
  return {
    message:
      `its long UNIQUE key(s) ${keys.join(', ')} add a hidden hash column (DB_ROW_HASH_n) to every row event of the ` +
      'real table, which a BLACKHOLE twin cannot hold (error 1910) and no SELECT can read, so the twin could not log ' +
      'the same row events',
    fix:
      'replace each long UNIQUE key by a B-tree one (a prefix, or a unique key on a stored hash column of your own) ' +
      'if the table may change',
  };
}

export function mariadbRules(version: ServerVersion): TableKindRules {
  return {
    version,
    twinEdits: (shape) =>
      keepTableMapKey(shape, {
        // Generated columns, stored or virtual, are refused by BLACKHOLE (1910) and cannot be MODIFYed
        // into plain ones (1907): each is dropped and added back as a plain column at its place, and
        // the copy writes the values the real table computed (MariaDB logs virtual columns' values).
        plainColumns: shape.columns.filter((c) => c.generated).map((c) => c.name),
        droppedIndexes: droppedIndexes(shape),
        droppedFirst: vectorIndexes(shape),
        primaryKey: undefined,
        dropSecondaryEngine: false,
      }),
    refusal,
    canCutChunks: (i: Index) => plainUniqueKey(i),
  };
}

/* Statements and session settings */

/**
 * MariaDB quotes literal defaults and prints expressions (and current_timestamp()) bare; a number is
 * a literal.
 */
function isDefaultExpression(dflt: string): boolean {
  if (isNowDefault(dflt) || dflt === 'NULL' || /^'.*'$/s.test(dflt) || /^[bx]'[0-9a-f]*'$/i.test(dflt))
    return false;
  return !/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(dflt);
}

/** What MariaDB answers whatever its version. */
export const mariadbFacts: FlavourFacts = {
  label: 'MariaDB',
  // Only the sequence numbers it got: in a domain shared with the source, the replica's own numbers
  // interleave with the source's.
  gtidSetOf: formatMariaGtids,
  boundedSelect: (ms, select) =>
    `SET STATEMENT max_statement_time = ${(ms / 1000).toFixed(3)} FOR SELECT ${select}`,
  retentionFix: 'SET GLOBAL expire_logs_days = <days> (and in the server option file)',
  logsAppliedVariable: 'log_slave_updates',
  // JSON is LONGTEXT with a check; INET4, INET6 and UUID are types of MariaDB's own.
  valueTypes: { nativeJson: false, ownTypes: ['inet4', 'inet6', 'uuid'] },
  isDefaultExpression,
  accountsTable: 'mysql.global_priv',
  gtidsExecutedSince: undefined,
};

/** With a domain of its own, replicas ignore it; without, they ignore this server's id. */
function mariadbGtidAdvice(
  g: GtidPlacement | undefined,
  written: string,
  self: { serverId: number; endFile: string; domainInput?: string },
): GtidAdvice {
  if (g?.domainId !== undefined) {
    return {
      placement: `GTID domain ${g.domainId}`,
      steps: [
        {
          where: 'on every replica pointed at this server (a re-point, or after promoting it)',
          sql: `STOP SLAVE; CHANGE MASTER TO MASTER_USE_GTID = slave_pos, IGNORE_DOMAIN_IDS = (${g.domainId}); START SLAVE;`,
        },
        {
          where: `on this server, once every consumer has read past ${self.endFile} (drops the domain; the files before are purged)`,
          sql: `FLUSH BINARY LOGS; PURGE BINARY LOGS TO '<the file after ${self.endFile}>'; FLUSH BINARY LOGS DELETE_DOMAIN_ID = (${g.domainId});`,
        },
      ],
    };
  }
  return {
    placement: "the server's own GTID domain, under this replica's server_id",
    steps: written
      ? [
          {
            where: `on every replica re-pointed at this server while it stays a replica (do not promote it: use ${self.domainInput ?? '--gtid-domain-id'} next time)`,
            sql: `STOP SLAVE; CHANGE MASTER TO MASTER_USE_GTID = slave_pos, IGNORE_SERVER_IDS = (${self.serverId}); START SLAVE;`,
          },
        ]
      : [],
  };
}

/** MariaDB's GTID answers: domains, @@last_gtid, gtid_slave_pos, the advice. */
const mariadbGtids: Pick<
  Dialect,
  'gtidTags' | 'gtidTagging' | 'gtidDomains' | 'gtidsAlwaysOn' | 'ownGtids' | 'appliedGtids' | 'gtidAdvice'
> = {
  gtidTags: false,
  gtidTagging: undefined,
  gtidDomains: {
    variables: { own: 'gtid_domain_id', applied: 'gtid_slave_pos', strict: 'gtid_strict_mode' },
    domainsOf: (position) => [...parseMariaPosition(position).keys()],
    session: (domain) => ({
      variable: 'gtid_domain_id',
      value: String(domain),
      privilege: 'SUPER or BINLOG REPLAY',
      why: "the flush's transactions in their own GTID domain",
    }),
  },
  gtidsAlwaysOn: true,
  ownGtids: { query: lastGtid() },
  appliedGtids: { expression: '@@GLOBAL.gtid_slave_pos' },
  gtidAdvice: mariadbGtidAdvice,
};

/**
 * MariaDB's parallel applier commits in the source's order in every mode (conservative, optimistic,
 * aggressive and minimal are all "in-order" parallel replication, the commits sequenced as on the
 * source: the Knowledge Base's "Parallel Replication"). Out of order happens only between GTID
 * domains: transactions of different domains go to different workers and may commit in either
 * order, unless slave_parallel_mode is minimal or none. So the applier is out of order when it runs
 * parallel (slave_parallel_threads > 0, alias slave_parallel_workers from 10.5), in a mode other than
 * minimal or none, on a stream of more than one domain. A connection's own mode
 * (@@connection_name.slave_parallel_mode) is not read here.
 */
const mariadbCommitOrder: CommitOrder = {
  variables: ['slave_parallel_threads', 'slave_parallel_mode'],
  outOfOrder(values, domains) {
    const threads = Number(values.get('slave_parallel_threads') ?? 0);
    const mode = values.get('slave_parallel_mode') ?? 'CONSERVATIVE';
    if (!(threads > 0) || ['NONE', 'MINIMAL'].includes(mode) || domains.length < 2) return undefined;
    return {
      message:
        `the parallel applier (slave_parallel_threads=${threads}, slave_parallel_mode=${mode.toLowerCase()}) applies ` +
        `more than one GTID domain (${domains.join(', ')}), and transactions of different domains may commit out of the source's order`,
      fix: "with the appliers stopped, SET GLOBAL slave_parallel_mode = 'minimal' (or slave_parallel_threads = 0), and the same in the server's option file",
    };
  },
};

/** SHOW SLAVE STATUS's columns (the same under SHOW REPLICA STATUS). */
const MARIADB_REPLICA_COLS: Dialect['replicaCols'] = {
  ioRunning: 'Slave_IO_Running',
  sqlRunning: 'Slave_SQL_Running',
  sourceHost: 'Master_Host',
  sourceLogFile: 'Relay_Master_Log_File',
  execSourceLogPos: 'Exec_Master_Log_Pos',
  secondsBehind: 'Seconds_Behind_Master',
};

export function mariadbDialect(v: ServerVersion): Dialect {
  const binlogAdmin = atLeast(v, 10, 5, 2) ? 'BINLOG ADMIN (or SUPER)' : 'SUPER';
  return {
    ...mariadbFacts,
    ...mariadbGtids,
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
    stopApplierOnly: 'STOP ALL SLAVES SQL_THREAD',
    startApplierOnly: 'START ALL SLAVES SQL_THREAD',
    showReplicaStatus: 'SHOW SLAVE STATUS',
    // Every named connection of a multi-source replica.
    allReplicasStatus: 'SHOW ALL SLAVES STATUS',
    showBinlogStatus: 'SHOW MASTER STATUS',
    showReplicas: 'SHOW SLAVE HOSTS',
    replicaCols: MARIADB_REPLICA_COLS,
    commitOrder: mariadbCommitOrder,
    gtidExecutedExpr: '@@GLOBAL.gtid_binlog_pos',
    gtidModeExpr: "IF(@@GLOBAL.gtid_binlog_pos <> '' OR @@GLOBAL.gtid_slave_pos <> '', 'ON', 'OFF')",
    // No server_uuid, no super_read_only.
    serverFactExprs: {
      serverUuid: "''",
      superReadOnly: '0',
      gtidMode: "IF(@@GLOBAL.gtid_binlog_pos <> '' OR @@GLOBAL.gtid_slave_pos <> '', 'ON', 'OFF')",
    },
    infoSchemaFields: {
      srid: 'NULL',
      visible: atLeast(v, 10, 6, 0) ? "IF(IGNORED = 'YES', 'NO', 'YES')" : "'YES'",
      expression: 'NULL',
    },
    sqlLogBinPrivilege: atLeast(v, 10, 5, 2) ? 'BINLOG ADMIN (or SUPER)' : 'SUPER',
    blackholeFix:
      "run INSTALL SONAME 'ha_blackhole' once on the replica, or start it with --plugin-load-add=ha_blackhole",
    privileges: {
      replicaAdmin: ['REPLICATION SLAVE ADMIN', 'SUPER'],
      binlogStatus: 'BINLOG MONITOR',
      binlogEvents: 'BINLOG MONITOR',
      // SHOW SLAVE STATUS: SLAVE MONITOR from 10.5.9 (also called REPLICA MONITOR); 10.5.2 to 10.5.8
      // asked for REPLICATION SLAVE ADMIN; before, REPLICATION CLIENT.
      replicaStatus: atLeast(v, 10, 5, 9)
        ? 'SLAVE MONITOR'
        : atLeast(v, 10, 5, 2)
          ? 'REPLICATION SLAVE ADMIN'
          : 'REPLICATION CLIENT',
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
  };
}

/** MariaDB 10.x and 11.x: its version string or comment says MariaDB. */
export const mariadbFlavour: FlavourModule = {
  ...mariadbFacts,
  recognise: /mariadb/i,
  dialect: mariadbDialect,
  rules: mariadbRules,
};
