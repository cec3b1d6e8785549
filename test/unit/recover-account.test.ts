import { describe, expect, it } from 'vitest';
import { countsAfterKill } from '../../src/engine/recover-account.js';
import type { JournalState } from '../../src/journal/journal.js';

type Ended = Pick<JournalState, 'flushEnd' | 'recoveredAt'>;

describe('when recover counts what the binlog holds of a run (issue 25, finding 9)', () => {
  const at = { file: 'binlog.000002', position: 900, gtid: '' };
  it.each<[Ended, boolean, string]>([
    [{ flushEnd: undefined }, true, 'the run died: counted'],
    [{ flushEnd: 'recovery-needed' }, true, 'the run ended needing recovery: counted'],
    [{ flushEnd: 'failed-restored' }, false, 'the run ended itself: it journaled its own account'],
    [{ flushEnd: 'flushed' }, false, 'a finished run: nothing to count'],
    [{ flushEnd: undefined, recoveredAt: at }, false, 'a second recover: the applier may have written since'],
  ])('%j -> %s (%s)', (j, counts) => {
    expect(countsAfterKill(j)).toBe(counts);
  });
});
