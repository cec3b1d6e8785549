/**
 * The server's flavour and version, read once from its version string (src/flavours/index.ts tells
 * the flavour); every flavour rule asks `atLeast`.
 */

/**
 * The server lines the flusher knows. Each member has a module in src/flavours, registered in
 * src/flavours/index.ts's FLAVOURS (a `Record<Flavour, ...>`: the compiler names a missing one).
 */
export type Flavour = 'mysql' | 'mariadb';

export interface ServerVersion {
  flavour: Flavour;
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** major.minor.patch at the start of a version string. */
export function versionNumbers(versionString: string): { major: number; minor: number; patch: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(versionString.trim());
  if (!m) throw new Error(`cannot read server version ${JSON.stringify(versionString)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export function atLeast(v: ServerVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}
