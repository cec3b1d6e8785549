/**
 * The typed model of a table's columns and indexes, as the inspector reads them from
 * information_schema (src/inspect/shapes.ts) for flush and recover alike. The flavour modules
 * (src/flavours) decide over this model what a BLACKHOLE twin must drop or rewrite, what preflight
 * must refuse and which keys can cut chunks; nothing here knows a flavour.
 */

export interface Column {
  name: string;
  /** COLUMN_TYPE as the server spells it: `int(11) unsigned`, `enum('a','b')`, `vector(3)`. */
  columnType: string;
  nullable: boolean;
  /** Computed by the server (`AS (expr)`): its values are still in every row image. */
  generated: false | 'stored' | 'virtual';
  /** Left out of `SELECT *` (MySQL 8.0.23+, MariaDB 10.3.3+); MySQL's GIPK column is one. */
  invisible: boolean;
  charset: string | null;
  collation: string | null;
  /**
   * The default is an expression (`DEFAULT (uuid_to_bin(uuid()))`, MySQL 8.0.13+, MariaDB 10.2+),
   * not a literal and not CURRENT_TIMESTAMP.
   */
  defaultExpression: boolean;
  /** The column's SRID attribute (MySQL 8.0.3+ geometry columns); undefined where it has none. */
  srid?: number;
  autoIncrement: boolean;
}

export interface IndexPart {
  /** The column; undefined for a functional key part (MySQL 8.0.13+), which indexes `expression`. */
  column?: string;
  expression?: string;
  /** Only the first `prefix` characters (bytes for binary columns) are indexed. */
  prefix?: number;
  /** `DESC` (MySQL 8.0+, MariaDB 10.8+). */
  descending: boolean;
  /** The part may be NULL. */
  nullable: boolean;
}

export interface Index {
  name: string;
  primary: boolean;
  unique: boolean;
  /** INDEX_TYPE, upper case: BTREE, HASH, FULLTEXT, SPATIAL, RTREE, VECTOR. */
  kind: string;
  parts: IndexPart[];
  /** The optimizer ignores it, and index hints cannot name it (MySQL INVISIBLE, MariaDB IGNORED). */
  invisible: boolean;
  /** A multi-valued index over a JSON array (MySQL 8.0.17+: `CAST(... AS ... ARRAY)`). */
  multiValued: boolean;
}

export interface TableShape {
  /** ENGINE, as information_schema.TABLES spells it (InnoDB, MyISAM...). */
  engine: string;
  columns: Column[];
  indexes: Index[];
  /** Partition names in order (one per partition, subpartitions aside); empty when not partitioned. */
  partitions: string[];
  /**
   * The index a table map names as the primary key (binlog_row_metadata=FULL): PRIMARY, or else the
   * unique key the server takes for it (every part a whole NOT NULL column; the server marks its
   * columns PRI in COLUMN_KEY); undefined when there is none.
   */
  mapKey?: string;
  /** MySQL's SECONDARY_ENGINE table option (HeatWave's RAPID, say); undefined where there is none. */
  secondaryEngine?: string;
}

export const isFunctional = (i: Index): boolean => i.parts.some((p) => p.column === undefined);
export const isDescending = (i: Index): boolean => i.parts.some((p) => p.descending);

/** The columns of an index that has no functional part, in order. */
export const indexColumns = (i: Index): string[] => i.parts.flatMap((p) => (p.column ? [p.column] : []));

export const primaryKey = (s: TableShape): Index | undefined => s.indexes.find((i) => i.primary);

/** One foreign key: the child table (where the constraint is) references the parent. */
export interface ForeignKeyEdge {
  childSchema: string;
  child: string;
  parentSchema: string;
  parent: string;
}
