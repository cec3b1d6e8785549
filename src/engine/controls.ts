/**
 * The operator's controls, consulted before every chunk: a pause (no new chunk while a flag file
 * exists, or while the control channel said `pause`), a load brake (no new chunk while a server status such as Threads_running is over a
 * limit) and a rows-per-second cap. A chunk already sent always runs to its end. Once the run is
 * cancelled, every gate says no at once, whatever it was waiting for: no chunk starts after a cancel.
 */
import { existsSync } from 'node:fs';
import type { Logger } from '../model/log.js';

export interface ControlOptions {
  /** No new chunk while this file exists. */
  pauseFile?: string;
  /** The run ends (every table put back) once this server status is over this limit. */
  criticalLoad?: { status: string; limit: number };
  /** No new chunk while the server status `brakeStatus` is over this (the flush's own sessions count too). */
  brakeLimit?: number;
  brakeStatus: string;
  /** At most this many rows per second, over the whole run. */
  maxRowsPerSecond?: number;
}

export const BRAKE_POLL_MS = 500;

export class Controls {
  private probe: Promise<number> | undefined;
  private probedAt = 0;
  private lastValue = 0;
  /** When the rows already let through may all have been copied at the cap. */
  private capFreeAt = 0;
  private paused = false;
  private braked = false;
  /** Since when the pause or the brake holds every chunk back (undefined: neither does). */
  private heldSince: { reason: 'paused' | 'braked'; at: number } | undefined;
  /** Paused by the control channel (until it says `resume`). */
  private pausedByChannel = false;
  /** Milliseconds spent waiting, per reason, summed over the workers that waited (for the report). */
  readonly waited = { pause: 0, brake: 0, cap: 0 };
  /** Workers in a gate now, and since when one has been. */
  private inGate = 0;
  private gateFrom = 0;
  /** Milliseconds of wall clock during which at least one worker waited in a gate. */
  heldMs = 0;
  private readonly opts: ControlOptions;

  constructor(
    opts: ControlOptions,
    private readonly readStatus: (name: string) => Promise<number>,
    private readonly log: Logger,
    private readonly cancelled: () => boolean,
  ) {
    this.opts = { ...opts };
  }

  /** The control channel's `pause` (true) and `resume` (false). */
  setPaused(on: boolean): void {
    this.pausedByChannel = on;
  }

  /** The rate cap from now on (undefined: none). */
  setRate(rowsPerSecond: number | undefined): void {
    this.opts.maxRowsPerSecond = rowsPerSecond;
    this.capFreeAt = 0;
  }

  /** The load brake from now on (undefined: none). */
  setBrake(load: { status: string; limit: number } | undefined): void {
    if (load) this.opts.brakeStatus = load.status;
    this.opts.brakeLimit = load?.limit;
    this.probedAt = 0;
  }

  /** The load that ends the run, from now on (undefined: none). */
  setCritical(load: { status: string; limit: number } | undefined): void {
    this.opts.criticalLoad = load;
  }

  /** The load brake and the critical load in force now (absent: off). */
  loads(): { brake?: { status: string; limit: number }; critical?: { status: string; limit: number } } {
    const o = this.opts;
    return {
      ...(o.brakeLimit !== undefined && { brake: { status: o.brakeStatus, limit: o.brakeLimit } }),
      ...(o.criticalLoad && { critical: { ...o.criticalLoad } }),
    };
  }

  /** Why the run must end now: the critical load is passed; undefined: it is not (or none is set). */
  async critical(): Promise<string | undefined> {
    const c = this.opts.criticalLoad;
    if (!c) return undefined;
    const v = await this.readStatus(c.status);
    return v > c.limit ? `critical load: ${c.status} is ${v}, over ${c.limit}` : undefined;
  }

  /** The controls now, in the words of their inputs. */
  describe(): string {
    const o = this.opts;
    const paused = this.pausedByChannel || (o.pauseFile !== undefined && existsSync(o.pauseFile));
    return [
      `pause ${paused ? `on (${this.pausedByChannel ? 'control channel' : o.pauseFile})` : 'off'}`,
      `max-rows-per-second ${o.maxRowsPerSecond ?? 'off'}`,
      `max-load ${o.brakeLimit === undefined ? 'off' : `${o.brakeStatus}=${o.brakeLimit}`}`,
      `critical-load ${o.criticalLoad ? `${o.criticalLoad.status}=${o.criticalLoad.limit}` : 'off'}`,
    ].join(', ');
  }

  /** What held the copy back, for the report: per reason summed over workers, and wall clock. */
  heldTotals(): { waitedMs: { pause: number; brake: number; cap: number }; heldMs: number } {
    return { waitedMs: { ...this.waited }, heldMs: this.heldMs };
  }

  /** Waits until a chunk of about `rows` rows may start; false: the run was cancelled, send nothing. */
  async gate(rows: number): Promise<boolean> {
    return this.timed(async () => {
      await this.whilePaused();
      await this.whileBraked();
      await this.underCap(rows);
    });
  }

  /** Waits while the pause holds (a table is set aside only then); false: the run was cancelled. */
  async pauseGate(): Promise<boolean> {
    return this.timed(() => this.whilePaused());
  }

  /** Runs a wait, counting wall-clock time once however many workers wait at the same time. */
  private async timed(wait: () => Promise<void>): Promise<boolean> {
    if (this.inGate++ === 0) this.gateFrom = Date.now();
    try {
      await wait();
    } finally {
      if (--this.inGate === 0) this.heldMs += Date.now() - this.gateFrom;
    }
    return !this.cancelled();
  }

  private pauseHolds(): boolean {
    const file = this.opts.pauseFile;
    return this.pausedByChannel || (file !== undefined && existsSync(file));
  }

  private async whilePaused(): Promise<void> {
    const file = this.opts.pauseFile;
    const t0 = Date.now();
    while (this.pauseHolds() && !this.cancelled()) {
      if (!this.paused)
        this.log.warn(
          this.pausedByChannel
            ? 'paused by the control channel; `resume` goes on (chunks already sent finish)'
            : `paused: ${file} exists; remove it to go on (chunks already sent finish)`,
        );
      this.paused = true;
      this.heldSince ??= { reason: 'paused', at: t0 };
      await sleep(200);
    }
    if (this.paused) {
      this.paused = false;
      this.heldSince = undefined;
      if (!this.cancelled())
        this.log.info(file && !existsSync(file) ? `resumed: ${file} is gone` : 'resumed');
    }
    this.waited.pause += Date.now() - t0;
  }

  private async whileBraked(): Promise<void> {
    const limit = this.opts.brakeLimit;
    if (limit === undefined) return;
    const t0 = Date.now();
    for (;;) {
      const v = await this.status();
      if (v <= limit || this.cancelled()) break;
      if (!this.braked) this.log.warn(`brake: ${this.opts.brakeStatus} is ${v}, over ${limit}; waiting`);
      this.braked = true;
      this.heldSince ??= { reason: 'braked', at: t0 };
      await sleep(BRAKE_POLL_MS);
    }
    if (this.braked) {
      this.braked = false;
      this.heldSince = undefined;
      this.log.info(`brake released: ${this.opts.brakeStatus} is ${this.lastValue}`);
    }
    this.waited.brake += Date.now() - t0;
  }

  /** What holds every chunk back now, and for how many seconds (for the status line). */
  holding(): { reason: 'paused' | 'braked'; seconds: number } | undefined {
    const h = this.heldSince;
    return h && { reason: h.reason, seconds: (Date.now() - h.at) / 1000 };
  }

  /** The status value, read at most every BRAKE_POLL_MS however many workers ask. */
  private async status(): Promise<number> {
    if (Date.now() - this.probedAt < BRAKE_POLL_MS) return this.lastValue;
    this.probe ??= this.readStatus(this.opts.brakeStatus).finally(() => {
      this.probe = undefined;
      this.probedAt = Date.now();
    });
    this.lastValue = await this.probe;
    return this.lastValue;
  }

  private async underCap(rows: number): Promise<void> {
    const cap = this.opts.maxRowsPerSecond;
    if (!cap) return;
    const t = Date.now();
    const start = Math.max(t, this.capFreeAt);
    this.capFreeAt = start + (rows / cap) * 1000;
    if (start > t) {
      this.waited.cap += start - t;
      for (let left = start - t; left > 0 && !this.cancelled(); left = start - Date.now())
        await sleep(Math.min(left, 100));
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
