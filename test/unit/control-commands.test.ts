import { describe, expect, it } from 'vitest';
import { loadOrderError, parseControlCommand, parseLoad } from '../../src/engine/control-commands.js';
import { Controls } from '../../src/engine/controls.js';
import { memoryLogger } from '../../src/model/log.js';
import { LIMITS } from '../../src/model/settings.js';

const parse = (line: string) => parseControlCommand(line, 'Threads_running');

describe('the control channel: commands', () => {
  it('reads each command, its setting and off', () => {
    expect(parse('status')).toEqual({ kind: 'status' });
    expect(parse('  PAUSE ')).toEqual({ kind: 'pause' });
    expect(parse('resume')).toEqual({ kind: 'resume' });
    expect(parse('abort')).toEqual({ kind: 'abort' });
    expect(parse('help')).toEqual({ kind: 'help' });
    expect(parse('throttle max-rows-per-second=2500')).toEqual({ kind: 'rate', rowsPerSecond: 2500 });
    expect(parse('throttle max-rows-per-second=off')).toEqual({ kind: 'rate', rowsPerSecond: undefined });
    expect(parse('throttle max-load=Threads_connected=40')).toEqual({
      kind: 'brake',
      load: { status: 'Threads_connected', limit: 40 },
    });
    expect(parse('throttle max-load=25')).toEqual({
      kind: 'brake',
      load: { status: 'Threads_running', limit: 25 },
    });
    expect(parse('throttle critical-load=Threads_running=80')).toEqual({
      kind: 'critical',
      load: { status: 'Threads_running', limit: 80 },
    });
    expect(parse('throttle critical-load=off')).toEqual({ kind: 'critical', load: undefined });
  });

  it('refuses anything else, saying what it takes (and never more than 80 characters of the line)', () => {
    expect(parse('pause now')).toEqual({ error: 'pause takes no argument' });
    expect(parse('throttle max-rows-per-second=0')).toEqual({
      error: 'max-rows-per-second: a whole number from 1, or off',
    });
    expect(parse('throttle max-rows-per-second=1e5')).toHaveProperty('error');
    expect(parse('throttle max-load=lots')).toEqual({
      error: 'max-load: STATUS=N (for example Threads_running=25), a number, or off',
    });
    expect(parse('throttle speed=9')).toEqual({
      error: 'throttle: max-rows-per-second, max-load or critical-load, not "speed"',
    });
    expect(parse('throttle')).toHaveProperty('error');
    const long = parse(`drop ${'x'.repeat(200)}`) as { error: string };
    expect(long.error).toMatch(/^not a command: "drop x+"; commands: status \| pause/);
    expect(long.error.length).toBeLessThan(300);
  });

  it("a load: STATUS=N or a number for the default status (its range is the command's to check)", () => {
    expect(parseLoad('Threads_running = 25', 'X')).toEqual({ status: 'Threads_running', limit: 25 });
    expect(parseLoad('7', 'Threads_running')).toEqual({ status: 'Threads_running', limit: 7 });
    expect(parseLoad('Threads_running=', 'X')).toBeUndefined();
    expect(parseLoad('99999999999', 'X')).toBeUndefined();
  });
});

/** Issue 26: a limit of the control channel is held to the input's range, and refused in its words. */
describe('the control channel: limits as the inputs take them', () => {
  it('max-load and critical-load take the range of --max-load and --critical-load', () => {
    expect(LIMITS.brakeLimit).toEqual({ min: 1, max: 100_000 });
  });

  it.each([
    ['max-load=0', 'max-load: expected a whole number from 1 to 100000, got 0'],
    ['max-load=Threads_running=0', 'max-load: expected a whole number from 1 to 100000, got 0'],
    ['max-load=100001', 'max-load: expected a whole number from 1 to 100000, got 100001'],
    ['max-load=1000000000', 'max-load: expected a whole number from 1 to 100000, got 1000000000'],
    ['max-load=1e9', 'max-load: STATUS=N (for example Threads_running=25), a number, or off'],
    ['critical-load=0', 'critical-load: expected a whole number from 1 to 100000, got 0'],
    ['critical-load=100001', 'critical-load: expected a whole number from 1 to 100000, got 100001'],
    [
      'critical-load=Threads_connected=1000000000',
      'critical-load: expected a whole number from 1 to 100000, got 1000000000',
    ],
  ])('throttle %s is refused: %s', (arg, error) => {
    expect(parse(`throttle ${arg}`)).toEqual({ error });
  });

  it.each([
    ['max-load=100000', { kind: 'brake', load: { status: 'Threads_running', limit: 100_000 } }],
    ['max-load=1', { kind: 'brake', load: { status: 'Threads_running', limit: 1 } }],
    [
      'critical-load=Threads_running=100000',
      { kind: 'critical', load: { status: 'Threads_running', limit: 100_000 } },
    ],
  ])('throttle %s is taken', (arg, command) => {
    expect(parse(`throttle ${arg}`)).toEqual(command);
  });

  const T = (limit: number) => ({ status: 'Threads_running', limit });
  it.each([
    [
      'a critical below max-load',
      'critical' as const,
      T(20),
      { brake: T(25) },
      'critical-load: Threads_running=20 is not over max-load (25): the run would end before the brake ever held it; give a limit from 26 to 100000',
    ],
    [
      'a critical equal to max-load',
      'critical' as const,
      T(25),
      { brake: T(25) },
      'critical-load: Threads_running=25 is not over max-load (25): the run would end before the brake ever held it; give a limit from 26 to 100000',
    ],
    [
      'a critical when max-load is at the top of its range',
      'critical' as const,
      T(100),
      { brake: T(100_000) },
      'critical-load: Threads_running=100 is not over max-load (100000): the run would end before the brake ever held it; no limit up to 100000 is over it; lower max-load first',
    ],
    [
      'a max-load raised to the critical load',
      'brake' as const,
      T(80),
      { critical: T(80) },
      'max-load: Threads_running=80 is not under critical-load (80): the run would end before the brake ever held it; give a limit from 1 to 79',
    ],
    [
      'a max-load when the critical load is 1',
      'brake' as const,
      T(5),
      { critical: T(1) },
      'max-load: Threads_running=5 is not under critical-load (1): the run would end before the brake ever held it; raise critical-load first',
    ],
    ['a critical over max-load', 'critical' as const, T(26), { brake: T(25) }, undefined],
    ['a max-load under the critical load', 'brake' as const, T(79), { critical: T(80) }, undefined],
    [
      'another status than the other load watches',
      'critical' as const,
      { status: 'Threads_connected', limit: 2 },
      { brake: T(25) },
      undefined,
    ],
    ['off', 'brake' as const, undefined, { critical: T(1) }, undefined],
    ['no other load', 'critical' as const, T(1), {}, undefined],
  ])('%s', (_what, kind, load, now, error) => {
    expect(loadOrderError(kind, load, now)).toBe(error);
  });

  it('the loads in force are what the controls were started with and then given', () => {
    const c = new Controls(
      { brakeStatus: 'Threads_running' },
      async () => 0,
      memoryLogger(),
      () => false,
    );
    expect(c.loads()).toEqual({});
    c.setBrake(T(25));
    c.setCritical({ status: 'Threads_connected', limit: 90 });
    expect(c.loads()).toEqual({ brake: T(25), critical: { status: 'Threads_connected', limit: 90 } });
    c.setBrake(undefined);
    expect(c.loads()).toEqual({ critical: { status: 'Threads_connected', limit: 90 } });
  });
});
