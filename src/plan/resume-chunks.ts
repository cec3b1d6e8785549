/**
 * Chunk-level resume, decided. A table an earlier run left part-copied continues from the chunks it
 * had not committed: its chunk plan comes from that run's journal, and which chunks committed is what
 * the journal acknowledged plus, for the chunks that were out when it stopped, what the binlog says.
 * Pure: the journal's records and the server's counts in, the decision out.
 */
import {
  tableState,
  type ChunkAck,
  type JournalCopyPlan,
  type JournalRecord,
  type JournalState,
} from '../journal/journal.js';
import type { Chunk } from '../model/copy.js';
import { allChunks, type CopyPlan } from './chunks.js';

/** A chunk plan as the journal keeps it (a keyset lane has none: its chunks are not known ahead). */
export function journalPlan(p: CopyPlan): JournalCopyPlan | undefined {
  switch (p.kind) {
    case 'range':
      return { kind: 'range', lo: String(p.lo), hi: String(p.hi), step: String(p.step) };
    case 'cuts':
      return { kind: 'cuts', cuts: p.cuts.map((c) => [...c]) };
    case 'walk':
      return { kind: 'walk', step: p.step, cuts: p.cuts.map((c) => [...c]) };
    case 'parts':
      return { kind: 'parts', parts: p.parts.map((x) => x ?? null) };
    case 'keyset':
      return undefined;
  }
}

export function copyPlanOf(p: JournalCopyPlan): CopyPlan {
  switch (p.kind) {
    case 'range':
      return { kind: 'range', lo: BigInt(p.lo), hi: BigInt(p.hi), step: BigInt(p.step) };
    case 'cuts':
      return { kind: 'cuts', cuts: p.cuts.map((c) => [...c]) };
    case 'walk':
      return { kind: 'walk', step: p.step, cuts: p.cuts.map((c) => [...c]) };
    case 'parts':
      return { kind: 'parts', parts: p.parts.map((x) => x ?? undefined) };
  }
}

/**
 * The plan as the journal now knows it: a walk with the cuts its records add (a finished walk is a
 * cuts plan: every chunk known, the last one open-ended).
 */
function knownPlan(j: JournalState, id: number, p: JournalCopyPlan): CopyPlan {
  const plan = copyPlanOf(p);
  if (plan.kind !== 'walk') return plan;
  const w = tableState(j, id).walk;
  const cuts = [...plan.cuts, ...(w?.cuts ?? [])];
  return w?.ended ? { kind: 'cuts', cuts } : { kind: 'walk', step: plan.step, cuts };
}

/** Where a resumed table continues: its plan, the chunks not to send again, and their rows. */
export interface ResumePoint {
  plan: CopyPlan;
  done: number[];
  rowsBefore: number;
}

type PlanRecord = Extract<JournalRecord, { type: 'chunk-plan' }>;

/** What the earlier run's journal says of one table's chunks; `undefined`: it has no chunk plan. */
export interface JournalChunks {
  record: PlanRecord;
  plan: CopyPlan;
  /** Committed before that run (it resumed another) or acknowledged by it. */
  done: Map<number, number>;
  /** Sent by that run and never acknowledged: the binlog decides them. */
  out: Chunk[];
  /** Of that run's acknowledged chunks, those that wrote rows (one binlog statement each). */
  ackedWithRows: number;
}

export function journalChunks(j: JournalState, id: number): JournalChunks | undefined {
  const t = tableState(j, id);
  const record = t.copyPlan;
  if (!record) return undefined;
  const plan = knownPlan(j, id, record.plan);
  // A walk that found no cut sent no chunk (it may have turned the table to one lane): no chunk known.
  if (plan.kind === 'walk' && plan.cuts.length === 0 && !record.done?.length) return undefined;
  const acked = t.acked;
  const done = new Map<number, number>();
  for (const seq of record.done ?? []) done.set(seq, 0);
  for (const [seq, rows] of acked) done.set(seq, rows);
  const sent = t.sent;
  const out = allChunks(plan).filter((c) => sent.has(c.seq) && !done.has(c.seq));
  const ackedWithRows = [...acked.values()].filter((r) => r > 0).length;
  return { record, plan, done, out, ackedWithRows };
}

/**
 * The resume point, given the binlog's count of the table's statements in the earlier run's range
 * (`statements`) and the rows each chunk that was out holds now (`outRows`, by seq). Throws with the
 * reason when the binlog cannot say which of them committed.
 */
export function resumePoint(c: JournalChunks, statements: number, outRows: Map<number, number>): ResumePoint {
  const extra = statements - c.ackedWithRows;
  const full = c.out.filter((x) => (outRows.get(x.seq) ?? 0) > 0);
  const committed: ChunkAck[] = c.out
    .filter((x) => (outRows.get(x.seq) ?? 0) === 0)
    .map((x) => ({ seq: x.seq, rows: 0 }));
  if (extra === full.length) committed.push(...full.map((x) => ({ seq: x.seq, rows: outRows.get(x.seq)! })));
  else if (extra !== 0) {
    throw new Error(
      extra < 0
        ? `the binlog holds ${statements} of its chunk statements, fewer than the ${c.ackedWithRows} the journal acknowledged (a binlog purged or rotated away?)`
        : `${extra} of the ${full.length} chunks out when the run stopped committed, and the binlog cannot say which`,
    );
  }
  const done = new Map(c.done);
  for (const a of committed) done.set(a.seq, a.rows);
  const rowsBefore =
    (c.record.rowsBefore ?? 0) +
    [...done.entries()]
      .filter(([seq]) => !(c.record.done ?? []).includes(seq))
      .reduce((n, [, r]) => n + r, 0);
  return { plan: c.plan, done: [...done.keys()].sort((a, b) => a - b), rowsBefore };
}
