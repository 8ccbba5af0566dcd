// Malformed assets through the three native loaders (sqlite, gltfpack, ink) on their
// carriers (worker_threads), served by a memory io backend: the cases of
// malformed-natives.ts, which the browser test runs too.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serviceLogs } from '../../support/logs.ts';
import { PUBLIC, asset, startBridge, stopBridge, type Bridge } from './helpers.ts';
import { NATIVE_CASES, SHIPPED, malformedFiles } from './malformed-natives.ts';

const logs = serviceLogs(); // before the stop below: checked after it
let b: Bridge;
beforeAll(async () => {
  const files = malformedFiles(Object.fromEntries(SHIPPED.map((p) => [p, asset(p)])));
  b = await startBridge({ backend: 'memory', files }, { onLog: logs.onLog });
});
afterEach(() => expect(b.rt.serialViolations).toBe(0));
afterAll(() => stopBridge(b));

describe('malformed assets through the native loaders', () => {
  it('the cases serve every shipped scene and dialogue file', () => {
    const onDisk = ['scene', 'dialogue'].flatMap((dir) =>
      readdirSync(`${PUBLIC}assets/${dir}`, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(PUBLIC, join(e.parentPath, e.name)).replaceAll('\\', '/')),
    );
    expect(SHIPPED.filter((p) => p !== 'assets/levels.db').sort()).toEqual(onDisk.sort());
  });

  for (const c of NATIVE_CASES) it(c.title, () => c.run(b.rt));
});
