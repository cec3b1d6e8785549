/**
 * The names a run gives the tables it sets aside: backup, twin and shell, each in the table's own
 * schema (triggers cannot move across schemas), and the twin's marker comment. The plan names them,
 * the journal checks them, preflight and recover find leftovers by them.
 */

/** Names the original tool used for backups. */
export const LEGACY_BACKUP = /^_BKTB_\d+$/;

export const NAME_PREFIX = '_bf_';
const BACKUP_RE = /^_bf_[0-9a-f]{8}_\d+$/;
const TWIN_RE = /^_bf_[0-9a-f]{8}_\d+_tw$/;
const SHELL_RE = /^_bf_[0-9a-f]{8}_\d+_sh$/;

export function backupName(runTag: string, id: number): string {
  return `${NAME_PREFIX}${runTag}_${id}`;
}
export function twinName(runTag: string, id: number): string {
  return `${NAME_PREFIX}${runTag}_${id}_tw`;
}
/**
 * The parking name of a table's shell (its real DDL, empty) once the twin has taken the real name:
 * derived from the twin's parking name in the journal, and just as long.
 */
export function shellName(twin: string): string {
  if (!isOurTwinName(twin)) throw new Error(`${JSON.stringify(twin)} is not a twin name of ours`);
  return `${twin.slice(0, -'_tw'.length)}_sh`;
}
export function isOurBackupName(name: string): boolean {
  return BACKUP_RE.test(name) || LEGACY_BACKUP.test(name);
}
export function isOurTwinName(name: string): boolean {
  return TWIN_RE.test(name);
}
/** Any name an earlier run of ours may have left behind. */
export function isLeftoverName(name: string): boolean {
  return BACKUP_RE.test(name) || TWIN_RE.test(name) || SHELL_RE.test(name) || LEGACY_BACKUP.test(name);
}
/** The table comment that marks a twin as ours, for one run. */
export function twinMarker(runTag: string): string {
  return `binlog-flusher twin ${runTag}`;
}
