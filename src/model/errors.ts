/** Exit codes shared by the CLI and the action's outputs. */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  preflightRefused: 3,
  failedRestored: 4,
  recoveryNeeded: 5,
  /** `verify`: the binlog does not hold exactly what the journal says was flushed, or could not be read. */
  verifyFailed: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The steps of a run, used to say where something went wrong. */
export type Phase =
  | 'input'
  | 'connect'
  | 'preflight'
  | 'journal'
  | 'replication'
  | 'set-aside'
  | 'shell'
  | 'twin'
  | 'copy'
  | 'swap-back'
  | 'drop-twin'
  | 'recover';

export interface TableRef {
  schema: string;
  table: string;
}

/** Base class: every error we raise on purpose says what to do next. */
export class FlusherError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A bad value from the user: names the input and the expected form. */
export class InputError extends FlusherError {
  readonly input: string;
  constructor(input: string, message: string) {
    super(`${input}: ${message}`, ExitCode.badInput);
    this.input = input;
  }
}

export interface PreflightFailure {
  check: string;
  message: string;
  fix: string;
}

/** Preflight refused: nothing was changed; every failure is listed with its fix. */
export class PreflightError extends FlusherError {
  readonly failures: PreflightFailure[];
  constructor(failures: PreflightFailure[]) {
    super(
      `preflight refused (${failures.length} problem${failures.length === 1 ? '' : 's'}); nothing was changed:\n` +
        failures.map((f) => `  - [${f.check}] ${f.message}\n    fix: ${f.fix}`).join('\n'),
      ExitCode.preflightRefused,
    );
    this.failures = failures;
  }
}

/** Something failed while a table was being worked on. */
export class TableError extends FlusherError {
  readonly phase: Phase;
  readonly ref: TableRef;
  constructor(ref: TableRef, phase: Phase, cause: unknown) {
    super(`${ref.schema}.${ref.table}: ${phase} failed: ${errorText(cause)}`, ExitCode.recoveryNeeded, {
      cause,
    });
    this.phase = phase;
    this.ref = ref;
  }
}

/** Server error code (errno) of a mysql2 error, if any. */
export function serverErrno(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'errno' in err && typeof err.errno === 'number')
    return err.errno;
  return undefined;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
