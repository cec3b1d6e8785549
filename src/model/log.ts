/**
 * Logging with secrets redacted at the sink: whatever a message carries, a registered secret never
 * reaches stdout, stderr or a file.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** A titled block of lines (a phase); the action maps it to a log group. */
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

const secrets = new Set<string>();

/** Register a value that must never be printed (passwords). Only an empty value is ignored. */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 1) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

export interface StreamLoggerOptions {
  verbose?: boolean;
  /** Write everything to stderr (keeps stdout clean for --json). */
  allToStderr?: boolean;
}

export function streamLogger(opts: StreamLoggerOptions = {}): Logger {
  const out = (line: string) =>
    (opts.allToStderr ? process.stderr : process.stdout).write(redact(line) + '\n');
  const err = (line: string) => process.stderr.write(redact(line) + '\n');
  return {
    debug: (m) => {
      if (opts.verbose) out(`debug: ${m}`);
    },
    info: (m) => out(m),
    warn: (m) => err(`warning: ${m}`),
    error: (m) => err(`error: ${m}`),
    group: async (title, fn) => {
      out(`== ${title}`);
      return fn();
    },
  };
}

/** A logger that keeps lines in memory (tests, summaries). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(redact(`debug: ${m}`)),
    info: (m) => lines.push(redact(m)),
    warn: (m) => lines.push(redact(`warning: ${m}`)),
    error: (m) => lines.push(redact(`error: ${m}`)),
    group: async (title, fn) => {
      lines.push(`== ${title}`);
      return fn();
    },
  };
}
