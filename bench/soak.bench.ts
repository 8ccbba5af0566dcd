/**
 * `npm run soak`: the supervision soak at full size (see bench/soak/soak.ts).
 *   npm run soak -- --services 1000 --messages 1000000 --workers 2
 * Exits with code 1 when a call was lost, hung, or answered wrongly.
 */
import os from 'node:os';
import { soak, type SoakOptions } from './soak/soak.ts';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const o: SoakOptions = {
  services: arg('services', 1000),
  messages: arg('messages', 1_000_000),
  workers: arg('workers', Math.max(2, os.availableParallelism() - 1)),
  window: arg('window', 512),
  faultEvery: arg('fault-every', 2000),
  hangMs: arg('hang-ms', 10_000),
  paths: ['test/fixtures/io/a.txt', 'test/fixtures/io/index.json', 'test/fixtures/io/sub/c.txt'],
  seed: arg('seed', 1),
  progress: (line) => console.log(`  ${line}`),
};
console.log(`soak: ${o.services} services, ${o.messages} calls, ${o.workers} workers, ${o.window} in flight, a fault every ${o.faultEvery} calls (seed ${o.seed})`);
const r = await soak(o);
console.log(JSON.stringify(r, null, 2));
const ok = !r.stalled && r.lost === 0 && r.hangs === 0 && r.wrong === 0 && r.serialViolations === 0 && r.answered + r.errored === r.sent;
console.log(ok ? 'soak: OK (lost 0, hangs 0)' : 'soak: FAILED');
process.exit(ok ? 0 : 1);
