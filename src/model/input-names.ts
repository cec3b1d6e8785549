/**
 * What each surface calls each input. The command line keeps the original tool's flag names
 * (`--db`, `--stop-slave`); the action's inputs are the canonical names. Every message that names an
 * input asks here, with the surface the settings came from, so an action user is never told about a
 * `--flag` and a CLI user never about a `with:` input.
 */
import { cliFlag, type InputKey } from './inputs.js';

/** Where the settings came from. */
export type Surface = 'cli' | 'action';

/** Every input a surface may give, by its canonical (action) name: the registry's (inputs.ts). */
export type { InputKey } from './inputs.js';

/** How one surface names inputs, and how its user turns a switch on or off. */
export interface Names {
  readonly surface: Surface;
  /** `--chunk-size` on the command line, `chunk-size` in a workflow. */
  name(key: InputKey): string;
  /** `--allow-writers`, or `allow-writers: true`. */
  on(key: InputKey): string;
  /** `--no-stop-slave`, or `stop-replica: false`. */
  off(key: InputKey): string;
}

export function namesFor(surface: Surface = 'cli'): Names {
  if (surface === 'action') {
    return {
      surface,
      name: (key) => key,
      on: (key) => `${key}: true`,
      off: (key) => `${key}: false`,
    };
  }
  const flag = (key: InputKey) => cliFlag(key) ?? `--${key}`;
  return {
    surface,
    name: flag,
    on: flag,
    off: (key) => `--no-${flag(key).slice(2)}`,
  };
}

/** The names for settings that carry their surface (on their connection). */
export function namesOf(s: { connection: { surface?: Surface } }): Names {
  return namesFor(s.connection.surface);
}

/**
 * An unknown option as the user typed it, without the value they may have attached: `--pass=x` ->
 * `--pass`, `-psecret` -> `-p`. A password typed after a mistyped flag never reaches the log.
 */
export function optionNameOnly(token: string): string {
  if (token.startsWith('--')) return token.split('=')[0]!;
  if (/^-[^-]/.test(token)) return token.slice(0, 2);
  return token;
}
