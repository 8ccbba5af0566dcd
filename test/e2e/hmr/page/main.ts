// A page for the hot-reload tests: one Lua service from an imported .lua file,
// one fetched from public/, and a TypeScript service (score.ts, ?ltask-service).
/// <reference types="@ltask-web/plugin-ltask/client" />
import { startRuntime } from '@ltask-web/plugin-ltask';
import imported from './imported.lua';
import score from './score.ts?ltask-service';

const rt = await startRuntime({ workers: 1, sources: { 'service/imported.lua': imported }, services: { score } });
const a = await rt.spawn('imported', 'x');
const b = await rt.spawn('fetched');
const c = await rt.spawn('score', 'y');
(globalThis as { hmr?: unknown }).hmr = {
  loadId: Math.random(),
  addresses: [a, b],
  version: async () => [await rt.call(a, 'version'), await rt.call(b, 'version')],
  ts: {
    address: c,
    version: () => rt.call(c, 'version'),
    /** Starts a call the restart interrupts; resolves to its outcome. */
    slow: () => rt.call(c, 'slow').then(String, (e: Error) => `error: ${e.message}`),
  },
};
