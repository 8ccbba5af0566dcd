// TypeScript services as the `services` option names them in Node: a path
// (resolved against `base`), a file URL, or a bundle whose module is a file;
// the values that name no module, refused with the fix; and which services a
// dev server's update restarts.
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startRuntime, type ServiceBundle } from '@ltask-web/plugin-ltask';
import type { WorkerConfig } from '../../../plugin-ltask/src/wire/protocol.ts';
import { serviceReload } from '../../../plugin-ltask/src/host/reload.ts';
import tally from '../../fixtures/ts/tally.ts';
import { runtimes } from '../../support/runtime.ts';

const start = runtimes();
const TALLY = 'test/fixtures/ts/tally.ts';

describe('the services option in Node', () => {
  it('takes a path (against base: the working directory), a file URL, or a bundle of a file', async () => {
    const bundle: ServiceBundle = { service: pathToFileURL(TALLY).href };
    const rt = await start({ services: { byPath: TALLY, byUrl: new URL(`../../fixtures/ts/tally.ts`, import.meta.url), byBundle: bundle } });
    for (const name of ['byPath', 'byUrl', 'byBundle']) {
      const addr = await rt.spawn(name, 1);
      expect(await rt.call(addr, 'add', 2)).toBe(7); // three's clamp and the relative rules module, loaded in the worker
      expect(await rt.call(addr, 'label')).toBe(name);
    }
  });

  it('refuses a bundle served to a browser, with the path form to use instead', async () => {
    await expect(startRuntime({ workers: 1, services: { tally: { service: 'http://localhost:5173/src/tally.ts' } } })).rejects.toThrow(
      /services\.tally is a \?ltask-service bundle for a browser \(http:\/\/localhost:5173\/src\/tally\.ts\); in Node a service is given by its path: services: \{ tally: '\.\/tally\.ts' \}.*npx ltask --service tally=\.\/tally\.ts/,
    );
  });

  it('refuses the factory itself, or anything else that names no module', async () => {
    await expect(startRuntime({ workers: 1, services: { tally: tally as never } })).rejects.toThrow(
      /services\.tally is a function \(the factory itself\?\): a service runs on a worker, so it is named by its module, not passed as a value\. Give import tally from '\.\/tally\.ts\?ltask-service'/,
    );
    await expect(startRuntime({ workers: 1, services: { tally: {} as never } })).rejects.toThrow(/services\.tally is an object without a `service` URL/);
  });

  it('refuses a system service name', async () => {
    await expect(startRuntime({ workers: 1, services: { timer: TALLY } })).rejects.toThrow(
      /services\.timer: "timer" is the name of a system service \(root, logger, timer\); register yours under another name/,
    );
  });
});

describe('hot reload of TypeScript services: the names a dev server update restarts', () => {
  it('finds the services registered under the saved modules (by URL path), which then import the new module with ?t=', () => {
    const tsServices: Record<string, string> = {
      score: 'http://127.0.0.1:5173/src/score.ts',
      again: 'http://127.0.0.1:5173/src/score.ts?t=1',
      other: 'http://127.0.0.1:5173/src/other.ts',
    };
    const config = { base: 'http://127.0.0.1:5173/', tsServices } as Partial<WorkerConfig> as WorkerConfig;
    const changed = serviceReload(config, { urlPaths: ['/src/score.ts'], timestamp: 42 });
    expect(changed).toEqual({ score: 'http://127.0.0.1:5173/src/score.ts?t=42', again: 'http://127.0.0.1:5173/src/score.ts?t=42' });
    expect(tsServices.score).toBe(changed.score); // services spawned later run the new module
    expect(tsServices.other).toBe('http://127.0.0.1:5173/src/other.ts');
  });
});
