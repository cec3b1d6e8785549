/** The server's flavour module, picked by version: its statement dialect and its table-kind rules. */
import type { ServerVersion } from '../model/version.js';
import type { Dialect } from './dialect.js';
import { mariadbDialect, mariadbRules } from './mariadb.js';
import { mysqlDialect, mysqlRules } from './mysql.js';
import type { TableKindRules } from './rules.js';

export type { Dialect, GlobalRequirement, SessionSetting } from './dialect.js';
export type { KindRefusal, TableKindRules } from './rules.js';

export function dialectFor(v: ServerVersion): Dialect {
  return v.flavour === 'mariadb' ? mariadbDialect(v) : mysqlDialect(v);
}

export function rulesFor(version: ServerVersion): TableKindRules {
  return version.flavour === 'mariadb' ? mariadbRules(version) : mysqlRules(version);
}
