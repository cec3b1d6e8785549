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
import { recordedOptions, type RecordedOptions } from '../journal/options.js';
import { readJournal } from '../journal/journal.js';
import { namesOf, type InputKey, type Names } from '../model/input-names.js';

type Value = string | number | boolean | undefined;

/** One resumable input: its value in the settings (comparable), in a header, and how to set it. */
interface Field {
  key: InputKey;
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

function plain<K extends keyof RecordedOptions & keyof FlushSettings>(key: InputKey, option: K): Field {
  return {
    key,
    option,
    now: (s) => s[option] as Value,
    then: (o) => (o[option] ?? undefined) as Value,
    take: (s, o) => Object.assign(s, { [option]: o[option] ?? undefined }),
  };
}

const FIELDS: Field[] = [
  {
    key: 'databases',
    option: 'databases',
    now: (s) => list(s.selection.databases),
    then: (o) => list(o.databases),
    take: (s, o) => (s.selection = { ...s.selection, databases: [...o.databases!] }),
  },
  {
    key: 'tables',
    option: 'tables',
    now: (s) => tables(s.selection.tables),
    then: (o) => tables(o.tables),
    take: (s, o) => (s.selection = { ...s.selection, tables: o.tables!.map((t) => ({ ...t })) }),
  },
  {
    key: 'skip',
    option: 'skip',
    now: (s) => list([...s.selection.skip, ...qualified(s.selection.skipTables)]),
    then: (o) => (o.skip === undefined ? undefined : list([...o.skip, ...qualified(o.skipTables)])),
    take: (s, o) =>
      (s.selection = { ...s.selection, skip: [...o.skip!], skipTables: [...(o.skipTables ?? [])] }),
  },
  plain('concurrency', 'concurrency'),
  plain('chunk-size', 'chunkSize'),
  plain('ddl', 'ddl'),
  {
    key: 'stop-replica',
    option: 'stopReplica',
    now: (s) => s.replication.stopReplica,
    then: (o) => o.stopReplica,
    take: (s, o) => (s.replication = { ...s.replication, stopReplica: o.stopReplica! }),
  },
  {
    key: 'start-replica',
    option: 'startReplica',
    now: (s) => s.replication.startReplica,
    then: (o) => o.startReplica,
    take: (s, o) => (s.replication = { ...s.replication, startReplica: o.startReplica! }),
  },
  gtidField('gtid-domain-id', 'domainId'),
  gtidField('gtid-tag', 'tag'),
  plain('set-read-only', 'setReadOnly'),
  plain('allow-primary', 'allowPrimary'),
  plain('allow-downstream', 'allowDownstream'),
  plain('allow-writers', 'allowWriters'),
  plain('stop-on-error', 'stopOnError'),
  plain('max-tables-aside', 'maxTablesAside'),
  plain('rotate-binlog', 'rotateBinlog'),
  {
    key: 'max-load',
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
  {
    key: 'max-rows-per-second',
    option: 'maxRowsPerSecond',
    now: (s) => s.controls?.maxRowsPerSecond,
    then: (o) => o.maxRowsPerSecond ?? undefined,
    take: (s, o) => {
      if (s.controls) s.controls = { ...s.controls, maxRowsPerSecond: o.maxRowsPerSecond ?? undefined };
    },
  },
  plain('retention-margin', 'retentionMarginHours'),
];

function gtidField(key: InputKey, part: keyof GtidPlacement): Field {
  return {
    key,
    option: 'gtid',
    now: (s) => s.gtid?.[part],
    then: (o) => o.gtid?.[part],
    take: (s, o) => {
      const g = { ...s.gtid, [part]: o.gtid?.[part] ?? undefined };
      s.gtid = g.domainId === undefined && g.tag === undefined ? undefined : g;
    },
  };
}

/** Inputs that act only once every table is back: a resumed run may choose another value. */
const END_OF_RUN: ReadonlySet<InputKey> = new Set<InputKey>(['start-replica']);

/** The inputs `--resume` takes from the earlier run. */
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
