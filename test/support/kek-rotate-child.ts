/**
 * A KEK rotation in a process of its own, for the crash test (keys-kek-rotation.test.ts): it
 * rotates the keys of `<dataDir>` in the database at `<url>`, prints `paused <n>` after n rows and
 * then waits forever, so the test can kill it with SIGKILL at a known point.
 */
import { rotateKek } from '../../src/keys/index.js';
import { systemRandom } from '../../src/platform/index.js';
import { openStore } from '../../src/store/index.js';

const [dataDir, url, pauseAfter] = process.argv.slice(2) as [string, string, string];
const store = await openStore({ url });
await rotateKek({
  store,
  dataDir,
  random: systemRandom,
  actor: 'admin:crash-test',
  settleMs: 0,
  batchSize: 2,
  onRow: async (n) => {
    if (n < Number(pauseAfter)) return;
    process.stdout.write(`paused ${n}\n`);
    await new Promise(() => setInterval(() => {}, 60_000)); // until killed
  },
});
