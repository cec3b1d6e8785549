/**
 * Issue 17, finding 5: `--resume J` takes the earlier run's selection and settings from J's header,
 * and refuses an input chosen with another value, naming it as its surface calls it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_DEFAULTS } from '../../src/action/inputs.js';
import { namesFor, optionNameOnly } from '../../src/model/input-names.js';
import { RESUMABLE, resumeSettings } from '../../src/config/resume.js';
import { recordedOptions } from '../../src/journal/options.js';
import type { FlushSettings } from '../../src/model/settings.js';
import { flushSettings } from '../support/flusher.js';
import type { ServerInfo } from '../sandbox/types.js';

const server: ServerInfo = {
  name: 'replica',
  host: 'db1',
  port: 3306,
  user: 'u',
  password: 'p',
  flavour: 'mariadb',
};
const cli = namesFor('cli');
const action = namesFor('action');

/** The earlier run: schema shop only, small chunks, its own GTID domain, a brake and a rate cap. */
const earlier = recordedOptions(
  flushSettings(server, {
    selection: { databases: ['shop'], tables: [], skip: [] },
    chunkSize: 500,
    concurrency: 2,
    maxTablesAside: 2,
    gtid: { domainId: 77 },
    stopOnError: true,
    controls: { brakeStatus: 'Threads_running', brakeLimit: 30, maxRowsPerSecond: 9000, statusInterval: 5 },
  }),
);

/** Today's settings: the defaults, with `chosen` the inputs the user gave. */
function today(over: Partial<FlushSettings> = {}): FlushSettings {
  return flushSettings(server, {
    controls: { brakeStatus: 'Threads_running', statusInterval: 5 },
    chosen: [],
    ...over,
  });
}

describe("--resume takes the earlier run's selection and settings", () => {
  it('every recorded input the user did not choose comes from the journal', () => {
    const s = resumeSettings(today(), { ...earlier }, 'J', cli);
    expect(s.selection.databases).toEqual(['shop']);
    expect(s.chunkSize).toBe(500);
    expect(s.concurrency).toBe(2);
    expect(s.maxTablesAside).toBe(2);
    expect(s.gtid).toEqual({ domainId: 77, tag: undefined });
    expect(s.stopOnError).toBe(true);
    expect(s.controls).toMatchObject({
      brakeStatus: 'Threads_running',
      brakeLimit: 30,
      maxRowsPerSecond: 9000,
    });
  });

  it('an input chosen with the same value is fine; with another value it is refused, named per surface', () => {
    const same = today({ selection: { databases: ['shop'], tables: [], skip: [] }, chosen: ['databases'] });
    expect(resumeSettings(same, { ...earlier }, 'J', cli).selection.databases).toEqual(['shop']);
    const other = today({
      selection: { databases: ['billing'], tables: [], skip: [] },
      chosen: ['databases'],
    });
    expect(() => resumeSettings(other, { ...earlier }, 'J', cli)).toThrow(
      /^--db: differs from the run being resumed \(J ran with shop, this run gives billing\); drop --db to continue with the earlier run's value, or start a new run without --resume/,
    );
    expect(() => resumeSettings(other, { ...earlier }, 'J', action)).toThrow(
      /^databases: differs .*drop databases .*without resume$/,
    );
    const chunk = today({ chunkSize: 100_000, chosen: ['chunk-size'] });
    expect(() => resumeSettings(chunk, { ...earlier }, 'J', cli)).toThrow(
      /^--chunk-size: differs .*ran with 500, this run gives 100000/,
    );
    const noDomain = today({ gtid: { domainId: 5 }, chosen: ['gtid-domain-id'] });
    expect(() => resumeSettings(noDomain, { ...earlier }, 'J', cli)).toThrow(/^--gtid-domain-id: differs/);
  });

  it('issue 25, finding 5: the end-of-run switch may differ; the chosen value stands, either way', () => {
    const stopped = recordedOptions(flushSettings(server, {}));
    expect(stopped.startReplica).toBe(false);
    const start = today({
      replication: { stopReplica: true, startReplica: true },
      chosen: ['start-replica'],
    });
    expect(resumeSettings(start, { ...stopped }, 'J', cli).replication.startReplica).toBe(true);
    const started = recordedOptions(
      flushSettings(server, { replication: { stopReplica: true, startReplica: true } }),
    );
    const noStart = today({
      replication: { stopReplica: true, startReplica: false },
      chosen: ['start-replica'],
    });
    expect(resumeSettings(noStart, { ...started }, 'J', cli).replication.startReplica).toBe(false);
    // Not chosen: the earlier run's value, as for every other input.
    expect(resumeSettings(today(), { ...started }, 'J', cli).replication.startReplica).toBe(true);
    // The applier's stop is not an end-of-run switch: another value is still refused.
    const noStop = today({
      replication: { stopReplica: false, startReplica: false },
      chosen: ['stop-replica'],
    });
    expect(() => resumeSettings(noStop, { ...stopped }, 'J', cli)).toThrow(/^--stop-slave: differs/);
  });

  it('a journal of an older version: what it did not record stays as given', () => {
    const older = { databases: ['shop'], chunkSize: 500 };
    const s = resumeSettings(today({ stopOnError: false, concurrency: 6 }), older, 'J', cli);
    expect(s.selection.databases).toEqual(['shop']);
    expect(s.chunkSize).toBe(500);
    expect([s.concurrency, s.stopOnError]).toEqual([6, false]);
  });

  it('the header records every resumable input, null where unset (never a path or a secret)', () => {
    const none = recordedOptions(today());
    expect(none).toMatchObject({ gtid: null, maxLoad: null, maxRowsPerSecond: null });
    expect(JSON.stringify(none)).not.toMatch(/password|hashfile|pause/i);
    expect(RESUMABLE).toContain('databases');
    expect(RESUMABLE).not.toContain('pause-file');
  });
});

describe("the action cannot tell a default from a choice: its defaults are action.yml's", () => {
  it('ACTION_DEFAULTS is what action.yml declares, for every input resume may take', () => {
    const yml = parse(readFileSync(join(import.meta.dirname, '..', '..', 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>;
    };
    for (const key of RESUMABLE) expect(ACTION_DEFAULTS[key] ?? '', key).toBe(yml.inputs[key]?.default ?? '');
  });
});

describe('an unknown option is named without the value typed onto it', () => {
  it.each([
    ['-psecret', '-p'],
    ['--pass=secret', '--pass'],
    ['--pass', '--pass'],
    ['-p', '-p'],
  ])('%s -> %s', (token, name) => expect(optionNameOnly(token)).toBe(name));
});
