import { describe, expect, it } from 'vitest';
import { parseControlCommand, parseLoad } from '../../src/engine/control-commands.js';

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

  it('a load: STATUS=N or a number for the default status, up to a billion', () => {
    expect(parseLoad('Threads_running = 25', 'X')).toEqual({ status: 'Threads_running', limit: 25 });
    expect(parseLoad('7', 'Threads_running')).toEqual({ status: 'Threads_running', limit: 7 });
    expect(parseLoad('Threads_running=', 'X')).toBeUndefined();
    expect(parseLoad('99999999999', 'X')).toBeUndefined();
  });
});
