/**
 * `--resume J` continues the run of journal J: same selection, same settings. Every setting J's
 * header recorded is taken from it, unless the user chose a value for it; a chosen value that differs
 * from J's is refused, naming the input, except for an end-of-run switch (`--start-slave`): what the
 * run does once every table is back may differ from J's, and the chosen value stands. What a journal
 * of an older version did not record stays as given. `resumeSettings` is pure: the settings and the
 * journal's header options in, the settings out.
 */
import { InputError } from '../model/errors.js';
import type { FlushSettings, GtidPlacement, TableFilter } from '../model/settings.js';
import { recordedOptions, type RecordedOptions, type RecordedWindows } from '../journal/options.js';
import { readJournal } from '../journal/journal.js';
import { namesOf, type InputKey, type Names } from '../model/input-names.js';
import type { ResumableKey } from '../model/inputs.js';

type Value = string | number | boolean | undefined;

/** One resumable input: its value in the settings (comparable), in a header, and how to set it. */
interface Field {
  key: ResumableKey;
  /** The header option that records it (absent in older journals: then not taken). */
  option: keyof RecordedOptions;
  now(s: FlushSettings): Value;
  then(o: Partial<RecordedOptions>): Value;
  take(s: FlushSettings, o: Partial<RecordedOptions>): void;
}

const list = (xs: string[] | undefined) => (xs ? [...xs].sort().join(',') : undefined);
const qualified = (xs: TableFilter[] | undefined) =>
  (xs ?? []).map((t) => (t.schema === undefined ? t.table : `${t.schema}.${t.table}`));
const tables = (xs: TableFilter[] | undefined) => (xs ? list(qualified(xs)) : undefined);

/** How a resumable input is taken (its key: where it is listed in RULES). */
type Rule = Omit<Field, 'key'>;

function plain<K extends keyof RecordedOptions & keyof FlushSettings>(option: K): Rule {
  return {
    option,
    now: (s) => s[option] as Value,
    then: (o) => (o[option] ?? undefined) as Value,
    take: (s, o) => Object.assign(s, { [option]: o[option] ?? undefined }),
  };
}

/**
 * How each resumable input is taken: every input the registry (model/inputs.ts) marks resumable, and
 * no other (the compiler holds the keys to it); in the order their differences are refused.
 */
const RULES: Record<ResumableKey, Rule> = {
  databases: {
    option: 'databases',
    now: (s) => list(s.selection.databases),
    then: (o) => list(o.databases),
    take: (s, o) => (s.selection = { ...s.selection, databases: [...o.databases!] }),
  },
  tables: {
    option: 'tables',
    now: (s) => tables(s.selection.tables),
    then: (o) => tables(o.tables),
    take: (s, o) => (s.selection = { ...s.selection, tables: o.tables!.map((t) => ({ ...t })) }),
  },
  skip: {
    option: 'skip',
    now: (s) => list([...s.selection.skip, ...qualified(s.selection.skipTables)]),
    then: (o) => (o.skip === undefined ? undefined : list([...o.skip, ...qualified(o.skipTables)])),
    take: (s, o) =>
      (s.selection = { ...s.selection, skip: [...o.skip!], skipTables: [...(o.skipTables ?? [])] }),
  },
  concurrency: plain('concurrency'),
  'chunk-size': plain('chunkSize'),
  ddl: plain('ddl'),
  'stop-replica': {
    option: 'stopReplica',
    now: (s) => s.replication.stopReplica,
    then: (o) => o.stopReplica,
    take: (s, o) => (s.replication = { ...s.replication, stopReplica: o.stopReplica! }),
  },
  'start-replica': {
    option: 'startReplica',
    now: (s) => s.replication.startReplica,
    then: (o) => o.startReplica,
    take: (s, o) => (s.replication = { ...s.replication, startReplica: o.startReplica! }),
  },
  'gtid-domain-id': gtidField('domainId'),
  'gtid-tag': gtidField('tag'),
  'set-read-only': plain('setReadOnly'),
  'allow-primary': plain('allowPrimary'),
  'allow-downstream': plain('allowDownstream'),
  'allow-writers': plain('allowWriters'),
  'stop-on-error': plain('stopOnError'),
  'max-tables-aside': plain('maxTablesAside'),
  'rotate-binlog': plain('rotateBinlog'),
  'max-load': {
    option: 'maxLoad',
    now: (s) => recordedOptions(s).maxLoad ?? undefined,
    then: (o) => o.maxLoad ?? undefined,
    take: (s, o) => {
      if (!s.controls) return;
      const [status, limit] = (o.maxLoad ?? '').split('=');
      s.controls = limit
        ? { ...s.controls, brakeStatus: status!, brakeLimit: Number(limit) }
        : { ...s.controls, brakeLimit: undefined };
    },
  },
  'max-rows-per-second': {
    option: 'maxRowsPerSecond',
    now: (s) => s.controls?.maxRowsPerSecond,
    then: (o) => o.maxRowsPerSecond ?? undefined,
    take: (s, o) => {
      if (s.controls) s.controls = { ...s.controls, maxRowsPerSecond: o.maxRowsPerSecond ?? undefined };
    },
  },
  'retention-margin': plain('retentionMarginHours'),
  'max-lag': windowField('maxLag'),
  window: windowField('window'),
  'lag-query': windowField('lagQuery'),
};

const FIELDS: Field[] = (Object.entries(RULES) as [ResumableKey, Rule][]).map(([key, r]) => ({ key, ...r }));

function gtidField(part: keyof GtidPlacement): Rule {
  return {
    option: 'gtid',
    now: (s) => s.gtid?.[part],
    then: (o) => o.gtid?.[part],
    take: (s, o) => {
      const g = { ...s.gtid, [part]: o.gtid?.[part] ?? undefined };
      s.gtid = g.domainId === undefined && g.tag === undefined ? undefined : g;
    },
  };
}

/**
 * One of the windows' inputs: taken from the earlier run's windows (none: one stop), the others as
 * they are; the catch-up target follows from the bound and the window.
 */
function windowField(part: keyof RecordedWindows): Rule {
  return {
    option: 'windows',
    now: (s) => s.windows?.[part],
    then: (o) => o.windows?.[part],
    take: (s, o) => {
      const prev = o.windows;
      if (!prev) {
        s.windows = undefined;
        return;
      }
      const w = { ...(s.windows ?? prev), [part]: prev[part] };
      s.windows = {
        maxLag: w.maxLag,
        window: w.window,
        catchUpTo: w.maxLag - w.window,
        ...(w.lagQuery !== undefined && { lagQuery: w.lagQuery }),
      };
    },
  };
}

/** Inputs that act only once every table is back: a resumed run may choose another value. */
const END_OF_RUN: ReadonlySet<InputKey> = new Set<InputKey>(['start-replica']);

/** The inputs `--resume` takes from the earlier run (the registry's resumable inputs). */
export const RESUMABLE: readonly InputKey[] = FIELDS.map((f) => f.key);

const shown = (v: Value) => (v === undefined || v === '' ? 'none' : String(v));

/**
 * The settings of a run resuming the run whose journal header holds `recorded`: each recorded input
 * the user did not choose is taken from it; one chosen with another value is refused.
 */
export function resumeSettings(
  s: FlushSettings,
  recorded: Record<string, unknown>,
  journal: string,
  names: Names,
): FlushSettings {
  const o = recorded as Partial<RecordedOptions>;
  const out: FlushSettings = { ...s, controls: s.controls && { ...s.controls } };
  const chosen = new Set(s.chosen ?? []);
  for (const f of FIELDS) {
    // A journal of an older version may not record it: today's value stands.
    if (!(f.option in o)) continue;
    const then = f.then(o);
    if (chosen.has(f.key)) {
      if (END_OF_RUN.has(f.key)) continue;
      const now = f.now(out);
      if (now !== then) {
        throw new InputError(
          names.name(f.key),
          `differs from the run being resumed (${journal} ran with ${shown(then)}, this run gives ${shown(now)}); ` +
            `drop ${names.name(f.key)} to continue with the earlier run's value, or start a new run without ${names.name('resume')}`,
        );
      }
    } else {
      f.take(out, o);
    }
  }
  return out;
}

/**
 * The settings of a run resuming the run of journal `path`, as `resumeSettings` decides them. A
 * journal that cannot be read, or that the original tool wrote, is refused naming the resume input.
 */
export function resumeFromJournal(s: FlushSettings, path: string): FlushSettings {
  const names = namesOf(s);
  const input = names.name('resume');
  // A placeholder schema lets an original-tool hashfile parse, so that it is named as one below.
  const j = readJournal(path, '?', { journal: input });
  if (j.legacy || !j.header)
    throw new InputError(
      input,
      `${path} is an original-tool hashfile; only a binlog-flusher journal can be resumed`,
    );
  return resumeSettings(s, j.header.options, path, names);
}
