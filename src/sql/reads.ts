/**
 * The queries src/inspect sends: pure builders, one per read. Each returns a Query, the text and its
 * parameters, for `db.rows(...q)` / `db.one(...q)`. Identifiers are quoted only through `quote.ts`.
 * The forms that differ by flavour come from the dialect (src/flavours), not from here.
 */
import { qualify, quoteIdent } from './quote.js';

/** A statement and its parameters. */
export type Query = readonly [sql: string, params?: unknown[]];

export const SYSTEM_SCHEMAS = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/* Server */

export const versionQuery = (): Query => ['SELECT @@version AS v, @@version_comment AS vc'];

/** The flavour's expressions for the facts it spells differently (a constant where it has none). */
export interface ServerFactExprs {
  serverUuid: string;
  superReadOnly: string;
  gtidMode: string;
}

/** The server's ids and switches, in the flavour's expressions. */
export function serverFacts(e: ServerFactExprs): Query {
  return [
    `SELECT @@server_id AS sid, ${e.serverUuid} AS uuid, @@hostname AS host, @@log_bin AS log_bin, @@read_only AS ro,
                ${e.superReadOnly} AS sro, ${e.gtidMode} AS gtid`,
  ];
}

export const engineSupportOf = (engine: string): Query => [
  'SELECT SUPPORT AS s FROM information_schema.ENGINES WHERE ENGINE = ?',
  [engine],
];

export const globalVariablesIn = (names: string[]): Query => [
  'SHOW GLOBAL VARIABLES WHERE Variable_name IN (?)',
  [names],
];

export const globalStatusLike = (name: string): Query => ['SHOW GLOBAL STATUS LIKE ?', [name]];

export const sessionVariablesIn = (names: string[]): Query => [
  'SHOW SESSION VARIABLES WHERE Variable_name IN (?)',
  [names],
];

/** Who a connection is and what it does (never its statement text). */
export const processOf = (id: number): Query => [
  'SELECT USER AS u, HOST AS h, COMMAND AS c, TIME AS t FROM information_schema.PROCESSLIST WHERE ID = ?',
  [id],
];

export const currentUser = (): Query => ['SELECT CURRENT_USER() AS u'];

export const eventScheduler = (): Query => ['SELECT @@GLOBAL.event_scheduler AS e'];

/* Replication */

/** A GTID set or position the flavour keeps in a variable, as `g`. */
export const gtidValue = (expr: string): Query => [`SELECT ${expr} AS g`];

export const binlogDumpThreads = (): Query => [
  "SELECT ID AS id, HOST AS host FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Binlog Dump', 'Binlog Dump GTID')",
];

/* Binlog */

export const gtidExecuted = (gtidExecutedExpr: string): Query => [`SELECT ${gtidExecutedExpr} AS g`];

export const binaryLogs = (): Query => ['SHOW BINARY LOGS'];

/**
 * The events of one binlog file, from a position in it when given; `limit`: at most that many (a
 * page: a binlog file of a GiB is never read into memory whole).
 */
export const binlogEvents = (file: string, from?: number, limit?: number): Query => {
  const sql = `SHOW BINLOG EVENTS IN ?${from === undefined ? '' : ' FROM ?'}${limit === undefined ? '' : ' LIMIT ?'}`;
  return [sql, [file, ...(from === undefined ? [] : [from]), ...(limit === undefined ? [] : [limit])]];
};

/** The first event of the first binlog: whether this user may read binlog events at all. */
export const FIRST_BINLOG_EVENT = 'SHOW BINLOG EVENTS LIMIT 1';

/* Tables */

/** Every table but the system schemas', or of these schemas only. */
export function tablesOf(schemas?: string[]): Query {
  const params: unknown[] = [SYSTEM_SCHEMAS];
  let where = 'TABLE_SCHEMA NOT IN (?)';
  if (schemas && schemas.length) {
    where += ' AND TABLE_SCHEMA IN (?)';
    params.push(schemas);
  }
  return [
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, TABLE_TYPE AS t, IFNULL(ENGINE, '') AS e, IFNULL(TABLE_ROWS, 0) AS r,
            IFNULL(DATA_LENGTH, 0) AS dl, IFNULL(AVG_ROW_LENGTH, 0) AS arl, IFNULL(TABLE_COMMENT, '') AS c,
            IFNULL(CREATE_OPTIONS, '') AS o
       FROM information_schema.TABLES WHERE ${where} ORDER BY TABLE_SCHEMA, TABLE_NAME`,
    params,
  ];
}

/** `SELECT <select>` that the server stops after `ms` milliseconds, in the flavour's words. */
export type TimeBound = (ms: number, select: string) => string;

/**
 * A table's exact row count, given up after `ms` milliseconds (the server stops it: MySQL 3024,
 * MariaDB 1969), so that counting stays cheap.
 */
export function boundedCount(schema: string, table: string, ms: number, bound: TimeBound): Query {
  return [bound(ms, `COUNT(*) AS n FROM ${qualify(schema, table)}`), []];
}

/** The average length of a row's values over at most `sample` rows (its row image, about). */
export function sampledRowLength(schema: string, table: string, columns: string[], sample: number): Query {
  const len = columns.map((c) => `IFNULL(LENGTH(${quoteIdent(c)}), 0)`).join(' + ') || '0';
  return [
    `SELECT AVG(l) AS l FROM (SELECT ${len} AS l FROM ${qualify(schema, table)} LIMIT ${Math.max(1, Math.floor(sample))}) s`,
    [],
  ];
}

export const foreignKeysTouching = (schemas: string[]): Query => [
  `SELECT CONSTRAINT_SCHEMA AS cs, TABLE_NAME AS ct, UNIQUE_CONSTRAINT_SCHEMA AS ps, REFERENCED_TABLE_NAME AS pt
       FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (?) OR UNIQUE_CONSTRAINT_SCHEMA IN (?)`,
  [schemas, schemas],
];

export const userSchemas = (): Query => [
  'SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (?)',
  [SYSTEM_SCHEMAS],
];

export const showCreateTable = (schema: string, table: string): string =>
  `SHOW CREATE TABLE ${qualify(schema, table)}`;

/* Single names (set-aside tables, guards) */

export const liveTableOf = (schema: string, table: string): Query => [
  `SELECT TABLE_TYPE AS t, IFNULL(ENGINE, '') AS e, IFNULL(TABLE_COMMENT, '') AS c FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
  [schema, table],
];

export const liveTablesOf = (tables: { schema: string; table: string }[]): Query => [
  `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, TABLE_TYPE AS y, UPPER(IFNULL(ENGINE, '')) AS e, IFNULL(TABLE_COMMENT, '') AS c
       FROM information_schema.TABLES WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${tables.map(() => '(?, ?)').join(', ')})`,
  tables.flatMap((t) => [t.schema, t.table]),
];

export const existingOf = (tables: { schema: string; table: string }[]): Query => [
  `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t FROM information_schema.TABLES
      WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${tables.map(() => '(?, ?)').join(', ')})`,
  tables.flatMap((t) => [t.schema, t.table]),
];

/** No row, but the server must open the table. */
export const openTable = (schema: string, table: string): Query => [
  `SELECT 1 AS x FROM ${qualify(schema, table)} LIMIT 0`,
];

export const anyRow = (schema: string, table: string): Query => [
  `SELECT 1 AS x FROM ${qualify(schema, table)} LIMIT 1`,
];

/** InnoDB's own tables under a name and its partitions (MariaDB's INNODB_SYS_TABLES). */
export function innodbTablesNamed(schema: string, table: string): Query {
  const esc = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);
  return [
    `SELECT NAME AS n FROM information_schema.INNODB_SYS_TABLES WHERE NAME = ? OR NAME LIKE ? ESCAPE '\\\\'`,
    [`${schema}/${table}`, `${esc(schema)}/${esc(table)}#P#%`],
  ];
}

/* Grants and other writers */

export const userPrivileges = (grantee: string): Query => [
  'SELECT PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?',
  [grantee],
];

export const schemaPrivileges = (grantee: string): Query => [
  'SELECT TABLE_SCHEMA AS s, PRIVILEGE_TYPE AS p FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?',
  [grantee],
];

export const granteesWith = (privileges: string[]): Query => [
  `SELECT GRANTEE AS g, PRIVILEGE_TYPE AS p FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE IN (${privileges.map(() => '?').join(', ')})`,
  privileges,
];

export const otherClientSessions = (): Query => [
  `SELECT ID AS id, USER AS u, HOST AS h FROM information_schema.PROCESSLIST
      WHERE ID <> CONNECTION_ID() AND USER NOT IN ('system user', 'event_scheduler', 'unauthenticated user')
        AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Killed')`,
];

/**
 * Succeeds only for a user who may read every account's privileges; `accounts` is the flavour's
 * system table of accounts and their privileges.
 */
export const readAccounts = (accounts: string): Query => [`SELECT 1 FROM ${accounts} LIMIT 0`];

export const enabledEvents = (): Query => [
  `SELECT EVENT_SCHEMA AS s, EVENT_NAME AS n, DEFINER AS d, EVENT_DEFINITION AS b FROM information_schema.EVENTS WHERE STATUS = 'ENABLED'`,
];

export const allTriggers = (): Query => [
  `SELECT TRIGGER_SCHEMA AS s, TRIGGER_NAME AS n, EVENT_OBJECT_SCHEMA AS os, EVENT_OBJECT_TABLE AS ot, ACTION_STATEMENT AS b
       FROM information_schema.TRIGGERS`,
];

/* Table shapes */

/** Which tables to read: every table of some schemas, or one table. */
export type Scope = { schemas: string[] } | { schema: string; table: string };

function where(scope: Scope): { sql: string; params: unknown[] } {
  return 'schemas' in scope
    ? { sql: 'TABLE_SCHEMA IN (?)', params: [scope.schemas] }
    : { sql: 'TABLE_SCHEMA = ? AND TABLE_NAME = ?', params: [scope.schema, scope.table] };
}

/**
 * Columns of information_schema that only some versions have, as expressions (NULL or a constant
 * where absent): the flavour's answer (src/flavours).
 */
export interface InfoSchemaFields {
  /** COLUMNS: the SRID attribute. */
  srid: string;
  /** STATISTICS: 'YES' when the index is visible (not invisible, not ignored). */
  visible: string;
  /** STATISTICS: a functional key part's expression. */
  expression: string;
}

export function shapeColumns(f: InfoSchemaFields, scope: Scope): Query {
  const w = where(scope);
  return [
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS n, COLUMN_TYPE AS ct, IS_NULLABLE AS nl,
            IFNULL(EXTRA, '') AS x, CHARACTER_SET_NAME AS cs, COLLATION_NAME AS co, COLUMN_DEFAULT AS d,
            ${f.srid} AS srid, COLUMN_KEY AS ck
       FROM information_schema.COLUMNS WHERE ${w.sql} ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
    w.params,
  ];
}

export function shapeIndexParts(f: InfoSchemaFields, scope: Scope): Query {
  const w = where(scope);
  return [
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, INDEX_NAME AS n, NON_UNIQUE AS nu, INDEX_TYPE AS it,
            COLUMN_NAME AS c, SUB_PART AS sp, NULLABLE AS nl, COLLATION AS co, ${f.visible} AS vis,
            ${f.expression} AS ex
       FROM information_schema.STATISTICS WHERE ${w.sql}
      ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    w.params,
  ];
}

/**
 * One row per partition: information_schema.PARTITIONS has one per subpartition, and
 * `PARTITION (p)` already reads all of p's subpartitions.
 */
export function shapePartitions(scope: Scope): Query {
  const w = where(scope);
  return [
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, PARTITION_NAME AS p FROM information_schema.PARTITIONS
      WHERE ${w.sql} AND PARTITION_NAME IS NOT NULL
      GROUP BY TABLE_SCHEMA, TABLE_NAME, PARTITION_NAME
      ORDER BY TABLE_SCHEMA, TABLE_NAME, MIN(PARTITION_ORDINAL_POSITION)`,
    w.params,
  ];
}

export function shapeTableOptions(scope: Scope): Query {
  const w = where(scope);
  return [
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, IFNULL(ENGINE, '') AS e, IFNULL(CREATE_OPTIONS, '') AS o
       FROM information_schema.TABLES WHERE ${w.sql}`,
    w.params,
  ];
}
