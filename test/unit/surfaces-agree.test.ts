/**
 * Issue 26: one registry of inputs (src/model/inputs.ts), and every surface held to it. action.yml
 * (which GitHub reads as it is, so it cannot be derived) declares exactly the registry's action
 * inputs with their defaults; the command line accepts every flag the registry gives; every
 * resumable input exists on both surfaces; the option file reads every key the registry names; the
 * control channel takes exactly the limits the inputs take.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_DEFAULTS, readActionSettings } from '../../src/action/inputs.js';
import { buildProgram } from '../../src/cli/program.js';
import { parseMyCnf } from '../../src/config/mycnf.js';
import { RESUMABLE } from '../../src/config/resume.js';
import { CONTROL_HELP, parseControlCommand } from '../../src/engine/control-commands.js';
import {
  CONTROL_KEYS,
  INPUTS,
  INPUT_KEYS,
  RESUMABLE_KEYS,
  actionDefaults,
  cliDeclaration,
  cliFlag,
  inputSpec,
  limitsOf,
  switchForms,
  type InputName,
} from '../../src/model/inputs.js';
import { DEFAULTS, LIMITS } from '../../src/model/settings.js';

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean }>;
}
const yml = parse(readFileSync(join(import.meta.dirname, '..', '..', 'action.yml'), 'utf8')) as ActionYml;

const names = Object.keys(INPUTS) as InputName[];
const withAction = names.filter((n) => inputSpec(n).action);
const withCli = names.filter((n) => inputSpec(n).cli);

describe("action.yml declares exactly the registry's action inputs", () => {
  it('the same inputs', () => {
    expect(Object.keys(yml.inputs).sort()).toEqual([...withAction].sort());
  });

  it.each(withAction)('%s: the same default, and required only where the registry says so', (name) => {
    expect(yml.inputs[name]?.default ?? '', `action.yml's default of ${name}`).toBe(actionDefaults()[name]);
    expect(yml.inputs[name]?.required ?? false).toBe(inputSpec(name).action?.required ?? false);
  });

  it.each(withAction.filter((n) => inputSpec(n).default !== undefined))(
    "%s: the action's default is the settings' default (or empty, for one taken elsewhere first)",
    (name) => {
      const d = inputSpec(name).action!.default;
      if (d !== '') expect(d).toBe(String(inputSpec(name).default));
    },
  );
});

/** The program's subcommands, as the CLI builds them. */
function subcommands(): readonly Command[] {
  const program = buildProgram(
    { env: {}, stdout: () => undefined, stderr: () => undefined },
    () => undefined,
  );
  return program.commands;
}

/** The forms of a registry flag the command line must accept. */
function forms(name: InputName): string[] {
  const c = inputSpec(name).cli!;
  if (c.alias) return [...switchForms(name).on, ...switchForms(name).off];
  const long = cliDeclaration(name)
    .split(' ')
    .find((w) => w.startsWith('--'))!;
  return c.short ? [long, c.short] : [long];
}

describe('the command line accepts every flag of the registry', () => {
  const cmds = subcommands();

  it.each(withCli.flatMap((n) => forms(n).map((f) => [n, f] as const)))(
    '%s: %s is accepted by a subcommand',
    (name, flag) => {
      const c = inputSpec(name).cli!;
      const argv = c.arg?.startsWith('<') ? [flag, 'x'] : [flag];
      const takers = cmds.filter((cmd) => cmd.parseOptions(argv).unknown.length === 0);
      expect(
        takers.map((t) => t.name()),
        `${argv.join(' ')}`,
      ).not.toEqual([]);
    },
  );

  it.each(['host', 'port', 'user', 'socket', 'mycnf', 'ssl-mode', 'ssl-ca', 'hashfile', 'timeout'] as const)(
    '%s is taken by flush, recover and verify alike',
    (name) => {
      for (const cmd of cmds) expect(cmd.parseOptions([cliFlag(name)!, 'x']).unknown, cmd.name()).toEqual([]);
    },
  );

  it('flush takes every input of the settings, in each of its forms', () => {
    const flush = cmds.find((c) => c.name() === 'flush')!;
    for (const key of INPUT_KEYS) {
      for (const flag of forms(key)) {
        const argv = inputSpec(key).cli!.arg?.startsWith('<') ? [flag, 'x'] : [flag];
        expect(flush.parseOptions(argv).unknown, argv.join(' ')).toEqual([]);
      }
    }
  });

  it('a flag the registry does not know is refused (the check can fail)', () => {
    for (const cmd of cmds) expect(cmd.parseOptions(['--no-such-flag']).unknown).toEqual(['--no-such-flag']);
  });

  it('every InputKey has a command-line flag', () => {
    for (const key of INPUT_KEYS) expect(cliFlag(key), key).toMatch(/^--[a-z-]+$/);
  });
});

describe('every resumable input exists on both surfaces', () => {
  it("resume.ts takes exactly the registry's resumable inputs", () => {
    expect([...RESUMABLE].sort()).toEqual([...RESUMABLE_KEYS].sort());
  });

  it.each(RESUMABLE_KEYS)(
    '%s: an action input, a flag, and the action default resume compares with',
    (key) => {
      expect(yml.inputs[key], `action.yml's ${key}`).toBeDefined();
      expect(cliFlag(key)).toBeDefined();
      expect(ACTION_DEFAULTS[key] ?? '').toBe(yml.inputs[key]!.default ?? '');
    },
  );
});

describe('the option file reads every key the registry names', () => {
  it.each(names.filter((n) => inputSpec(n).optionFile))('%s', (name) => {
    const key = inputSpec(name).optionFile!;
    expect(parseMyCnf(`[client]\n${key}=x1\n`, 'test.cnf')).toMatchObject({ [key]: 'x1' });
  });
});

describe("the control channel takes the inputs' limits", () => {
  const env = { RUNNER_TEMP: '/tmp/rt' };
  /** A flush from the action with this one input (every schema, a host). */
  const action = (name: string, value: string) => () =>
    readActionSettings((n) => ({ host: 'db1', databases: '*', [name]: value })[n] ?? '', env);
  const command = (name: string, value: number) =>
    parseControlCommand(`throttle ${name}=${value}`, DEFAULTS.brakeStatus);

  it('the control inputs are those the help lists', () => {
    expect([...CONTROL_KEYS].sort()).toEqual(['critical-load', 'max-load', 'max-rows-per-second']);
    for (const key of CONTROL_KEYS) expect(CONTROL_HELP).toContain(`throttle ${key}=`);
    expect(command('concurrency', 2)).toHaveProperty('error');
  });

  it.each(CONTROL_KEYS)('%s: the same lowest and highest value on both sides', (name) => {
    const { min, max } = limitsOf(name);
    for (const ok of [min, max]) {
      expect(command(name, ok), `throttle ${name}=${ok}`).not.toHaveProperty('error');
      expect(action(name, String(ok)), `${name}: ${ok}`).not.toThrow();
    }
    for (const bad of [min - 1, max + 1].filter((n) => n >= 0)) {
      expect(command(name, bad), `throttle ${name}=${bad}`).toHaveProperty('error');
      expect(action(name, String(bad)), `${name}: ${bad}`).toThrow();
    }
  });

  it('the loads share one range, the settings say the same', () => {
    expect(limitsOf('max-load')).toEqual(limitsOf('critical-load'));
    expect(LIMITS.brakeLimit).toEqual(limitsOf('max-load'));
    expect(LIMITS.maxRowsPerSecond).toEqual(limitsOf('max-rows-per-second'));
  });
});
