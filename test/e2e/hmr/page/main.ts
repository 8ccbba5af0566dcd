// A page for the hot-reload test: one service from an imported .lua file, one fetched from public/.
/// <reference types="@ltask-web/plugin-ltask/client" />
import { startRuntime } from '@ltask-web/plugin-ltask';
import imported from './imported.lua';

const rt = await startRuntime({ workers: 1, sources: { 'service/imported.lua': imported } });
const a = await rt.spawn('imported', 'x');
const b = await rt.spawn('fetched');
(globalThis as { hmr?: unknown }).hmr = {
  loadId: Math.random(),
  addresses: [a, b],
  version: async () => [await rt.call(a, 'version'), await rt.call(b, 'version')],
};
