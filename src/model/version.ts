/**
 * The server's flavour and version, read once from its version string; every flavour rule asks
 * `atLeast`.
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

export function atLeast(v: ServerVersion, major: number, minor: number, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}
