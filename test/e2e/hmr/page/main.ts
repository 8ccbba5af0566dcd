// A page for the hot-reload tests: one Lua service from an imported .lua file,
// one fetched from public/, and a TypeScript service (score.ts, ?ltask-service).
/// <reference types="@ltask-web/plugin-ltask/client" />
import { App, AssetEvents, AssetPlugin, AssetServer, MinimalPlugins, Update, type AssetEvent, type SystemContext } from '@ltask-web/engine';
import { startRuntime } from '@ltask-web/plugin-ltask';
import { LtaskPlugin } from '@ltask-web/plugin-ltask/engine';
import imported from './imported.lua';
import score from './score.ts?ltask-service';

// An App whose AssetServer reloads a JSON asset saved under public/assets/ (through LtaskPlugin).
const app = new App().addPlugins(MinimalPlugins, new AssetPlugin({ root: '/assets/' }), new LtaskPlugin({ workers: 1, io: false }));
const assetEvents: string[] = [];
app.addSystems(Update, ({ read }: SystemContext) => void assetEvents.push(...read(AssetEvents).map((e: AssetEvent) => `${e.type} ${e.path}`)));
await app.ready();
const level = app.resource(AssetServer).load<{ size: number }>('level.json');
setInterval(() => app.update(), 16);

const rt = await startRuntime({ workers: 1, sources: { 'service/imported.lua': imported }, services: { score } });
const a = await rt.spawn('imported', 'x');
const b = await rt.spawn('fetched');
const c = await rt.spawn('score', 'y');
(globalThis as { hmr?: unknown }).hmr = {
  loadId: Math.random(),
  addresses: [a, b],
  asset: () => ({ size: level.asset?.size ?? null, events: assetEvents }),
  version: async () => [await rt.call(a, 'version'), await rt.call(b, 'version')],
  ts: {
    address: c,
    version: () => rt.call(c, 'version'),
    /** Starts a call the restart interrupts; resolves to its outcome. */
    slow: () => rt.call(c, 'slow').then(String, (e: Error) => `error: ${e.message}`),
  },
};
