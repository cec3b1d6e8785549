/**
 * The flavour registry: every server line the flusher knows, keyed by its name (a
 * `Record<Flavour, FlavourModule>`, so a new member of Flavour is a compile error until it has a
 * module here), the one place a server's flavour is told from its version string, and the lookups
 * the rest of the code asks instead of comparing flavour names.
 */
import { versionNumbers, type Flavour, type ServerVersion } from '../model/version.js';
import type { Dialect, FlavourFacts, FlavourModule } from './dialect.js';
import { mariadbFlavour } from './mariadb.js';
import { mysqlFlavour } from './mysql.js';
import type { TableKindRules } from './rules.js';

export type {
  Dialect,
  FlavourFacts,
  FlavourModule,
  GlobalRequirement,
  GtidAdvice,
  GtidDomains,
  SessionSetting,
  ValueTypes,
} from './dialect.js';
export type { KindRefusal, TableKindRules } from './rules.js';
export type { Flavour } from '../model/version.js';

export const FLAVOURS: Readonly<Record<Flavour, FlavourModule>> = {
  mysql: mysqlFlavour,
  mariadb: mariadbFlavour,
};

const NAMES = Object.keys(FLAVOURS) as Flavour[];

/**
 * The flavour a version string (and version comment) names: the one flavour whose `recognise`
 * matches, else the one that is what no other flavour claims. More than one claim is an error.
 */
export function flavourOf(versionString: string, versionComment = ''): Flavour {
  const claims = NAMES.filter((f) => {
    const r = FLAVOURS[f].recognise;
    return r !== 'otherwise' && (r.test(versionString) || r.test(versionComment));
  });
  if (claims.length > 1)
    throw new Error(`server version ${JSON.stringify(versionString)} is claimed by ${claims.join(' and ')}`);
  return claims[0] ?? NAMES.find((f) => FLAVOURS[f].recognise === 'otherwise')!;
}

export function parseVersion(versionString: string, versionComment = ''): ServerVersion {
  const n = versionNumbers(versionString);
  return { flavour: flavourOf(versionString, versionComment), ...n, text: versionString };
}

/**
 * A journal's flavour: its header's, else (a journal written before headers named it) the one its
 * version text names. A name this version does not know reads as the version text's.
 */
export function journalFlavour(header: { flavour?: unknown; serverVersion: string }): Flavour {
  const f = header.flavour;
  return typeof f === 'string' && (NAMES as string[]).includes(f)
    ? (f as Flavour)
    : flavourOf(header.serverVersion);
}

/** What a flavour answers whatever the version. */
export function flavourFacts(f: Flavour): FlavourFacts {
  return FLAVOURS[f];
}

export function dialectFor(v: ServerVersion): Dialect {
  return FLAVOURS[v.flavour].dialect(v);
}

export function rulesFor(version: ServerVersion): TableKindRules {
  return FLAVOURS[version.flavour].rules(version);
}

/** The exact set of the GTIDs a run's transactions got, in the flavour's notation. */
export function gtidSetOf(f: Flavour, gtids: string[]): string {
  return FLAVOURS[f].gtidSetOf(gtids);
}
