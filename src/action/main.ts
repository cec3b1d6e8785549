/** Action entry point (main step): the bundle's entry; the step itself is main-step.ts. */
import { run } from './main-step.js';

await run();
// The result is out; a socket to a server that stopped answering must not hold the step open.
process.stdout.write('', () => process.exit());
