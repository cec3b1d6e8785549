/**
 * npm run torture -- [--flavour F] [--rounds N] [--seed S] [--kinds a,b] [--dist] [--keep-on-failure]:
 * the torture test (torture.ts) on a sandbox of its own (F: local, mysql or mariadb-lts, as
 * BF_SANDBOX; default BF_SANDBOX, else local), for as many rounds as asked. Exits 1 on the first round
 * that does not hold, with the seed to replay it; --keep-on-failure leaves the sandbox up to look at.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/index.js';
import { MissingServerError } from '../sandbox/local.js';
import { KINDS, runTorture, summary, type Kind } from './torture.js';

const { values } = parseArgs({
  options: {
    flavour: { type: 'string' },
    rounds: { type: 'string', default: '20' },
    seed: { type: 'string' },
    dist: { type: 'boolean', default: false },
    kinds: { type: 'string' },
    'keep-on-failure': { type: 'boolean', default: false },
  },
});
const kinds = values.kinds?.split(',') as Kind[] | undefined;
if (kinds?.some((k) => !KINDS.includes(k))) {
  console.error(`--kinds: a comma list of ${KINDS.join(', ')}`);
  process.exit(2);
}
const rounds = Number(values.rounds);
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(seed)) {
  console.error(
    'usage: npm run torture -- [--flavour local|mysql|mariadb-lts] [--rounds N] [--seed S] [--kinds a,b] [--dist] [--keep-on-failure]',
  );
  process.exit(2);
}
let sb;
try {
  sb = await startSandbox(values.flavour ?? process.env.BF_SANDBOX ?? 'local');
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
    kinds,
  });
  console.log(summary(r));
  process.exitCode = r.failure ? 1 : 0;
  if (r.failure && values['keep-on-failure']) {
    console.log(
      `--keep-on-failure: the sandbox stays up for a look (${JSON.stringify(sb.info.replica)}); Ctrl-C ends it`,
    );
    await new Promise((resolve) => process.once('SIGINT', resolve));
  }
} finally {
  await sb.stop();
}
