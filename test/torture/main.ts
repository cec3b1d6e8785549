/**
 * npm run torture -- [--rounds N] [--seed S] [--dist]: the torture test (torture.ts) on a sandbox of
 * its own, for as many rounds as asked. Exits 1 on the first round that does not hold, with the seed
 * to replay it.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/index.js';
import { MissingServerError } from '../sandbox/local.js';
import { runTorture, summary } from './torture.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    seed: { type: 'string' },
    dist: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run torture -- [--rounds N] [--seed S] [--dist]');
  process.exit(2);
}
let sb;
try {
  sb = await startSandbox(process.env.BF_SANDBOX ?? 'local');
} catch (e) {
  console.error(e instanceof MissingServerError ? e.message : e);
  process.exit(1);
}
try {
  const r = await runTorture({
    sandbox: sb.info,
    rounds,
    seed,
    entry: values.dist ? 'dist' : 'src',
    log: (l) => console.log(l),
  });
  console.log(summary(r));
  process.exitCode = r.failure ? 1 : 0;
} finally {
  await sb.stop();
}
