/**
 * The live control channel: a file the operator appends commands to (`echo pause >> FILE`), one per
 * line, read every POLL_MS while the tables are copied. Each command is carried out, answered on a
 * line of `FILE.answers` and in the log, and journaled. Commands already in the file when the run
 * starts are not replayed; a command appended while the run prepares waits for the copy to begin.
 * A file works wherever the run does: a terminal, a self-hosted runner, a container with a volume.
 */
import { appendFileSync, closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { errorText } from '../model/errors.js';
import type { Logger } from '../model/log.js';
import { now } from '../model/time.js';
import { parseControlCommand, type ControlCommand } from './control-commands.js';

export const CONTROL_POLL_MS = 250;

/** What a command does: its answer (a line of text), or a throw whose message is the answer. */
export type ControlHandler = (c: ControlCommand) => Promise<string>;

export function answersPath(file: string): string {
  return `${file}.answers`;
}

export class ControlChannel {
  private offset: number;
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private handle: ControlHandler | undefined;
  private record: ((command: string, answer: string) => Promise<void>) | undefined;

  /** Opened when the run starts: what the file holds then is not replayed (created when missing). */
  constructor(
    readonly file: string,
    private readonly defaultStatus: string,
    private readonly log: Logger,
  ) {
    if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600 });
    this.offset = statSync(file).size;
  }

  /** Commands are carried out from now on, each `record`ed (journaled) once answered. */
  start(handle: ControlHandler, record: (command: string, answer: string) => Promise<void>): void {
    this.handle = handle;
    this.record = record;
    this.log.info(`control channel: append commands to ${this.file} (answers in ${answersPath(this.file)})`);
    this.timer = setInterval(() => void this.poll(), CONTROL_POLL_MS);
    this.timer.unref();
  }

  /** No command is read any more (after the last poll that is under way). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.reading;
  }

  /** Read what was appended and carry out its complete lines, one after the other. */
  poll(): Promise<void> {
    this.reading ??= this.readNew().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async readNew(): Promise<void> {
    const text = this.appended();
    if (!text) return;
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) await this.carryOut(line.trim());
  }

  private appended(): string {
    let fd: number | undefined;
    try {
      const size = statSync(this.file).size;
      if (size < this.offset) this.offset = 0; // truncated: read it again from the start
      if (size === this.offset) return '';
      const buf = Buffer.alloc(Math.min(size - this.offset, 64 * 1024));
      fd = openSync(this.file, 'r');
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      return buf.subarray(0, n).toString('utf8');
    } catch (e) {
      this.log.warn(`control channel: ${this.file} cannot be read: ${errorText(e)}`);
      return '';
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  private async carryOut(line: string): Promise<void> {
    const c = parseControlCommand(line, this.defaultStatus);
    let answer: string;
    if ('error' in c) answer = `refused: ${c.error}`;
    else {
      try {
        answer = await this.handle!(c);
      } catch (e) {
        answer = `refused: ${errorText(e)}`;
      }
    }
    const shown = line.slice(0, 120);
    this.log.info(`control: ${shown} -> ${answer}`);
    try {
      appendFileSync(answersPath(this.file), `${now()} ${shown} -> ${answer}\n`, {
        mode: 0o600,
      });
    } catch (e) {
      this.log.warn(`control channel: the answer could not be written: ${errorText(e)}`);
    }
    await this.record!(shown, answer).catch((e: unknown) =>
      this.log.warn(`control channel: the command could not be journaled: ${errorText(e)}`),
    );
  }
}
