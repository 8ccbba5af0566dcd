// A page for the build test: two TypeScript services from ?ltask-service
// imports. tally has a relative import and an npm import (three's MathUtils);
// later loads a module with a dynamic import, whose chunk shares tally's rules.
/// <reference types="@ltask-web/plugin-ltask/client" />
import { startRuntime } from '@ltask-web/plugin-ltask';
import tally from '../../../fixtures/ts/tally.ts?ltask-service';
import later from './later.ts?ltask-service';

const rt = await startRuntime({ workers: 1, services: { tally, later } });
const t = await rt.spawn('tally', 10);
const l = await rt.spawn('later');
(globalThis as { built?: unknown }).built = {
  bundles: [tally.service, later.service],
  tally: [await rt.call(t, 'add', 5), await rt.call(t, 'add', 50)],
  later: await rt.call(l, 'weigh', 2),
};
