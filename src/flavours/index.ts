/** The table-kind rules of the server's flavour and version (see rules.ts). */
import type { ServerVersion } from '../db/dialect.js';
import { mariadbRules } from './mariadb.js';
import { mysqlRules } from './mysql.js';
import type { TableKindRules } from './rules.js';

export type { KindRefusal, TableKindRules } from './rules.js';

export function rulesFor(version: ServerVersion): TableKindRules {
  return version.flavour === 'mariadb' ? mariadbRules(version) : mysqlRules(version);
}
