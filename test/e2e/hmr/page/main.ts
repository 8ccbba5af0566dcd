// A page for the hot-reload tests: one Lua service from an imported .lua file,
// one fetched from public/, and a TypeScript service (score.ts, ?ltask-service).
/// <reference types="@ltask-web/plugin-ltask/client" />
import { App, AssetEvents, AssetPlugin, AssetServer, MinimalPlugins, Update, type AssetEvent, type SystemContext } from '@ltask-web/engine';
import { startRuntime } from '@ltask-web/plugin-ltask';
import { LtaskPlugin } from '@ltask-web/plugin-ltask/engine';
import imported from './imported.lua';
import score from './score.ts?ltask-service';

// An App whose AssetServer reloads assets saved under public/assets/ (through LtaskPlugin): JSON, a PNG texture, a glTF.
const app = new App().addPlugins(MinimalPlugins, new AssetPlugin({ root: '/assets/' }), new LtaskPlugin({ workers: 1, io: false }));
const assetEvents: string[] = [];
app.addSystems(Update, ({ read }: SystemContext) => void assetEvents.push(...read(AssetEvents).map((e: AssetEvent) => `${e.type} ${e.path}`)));
await app.ready();
const server = app.resource(AssetServer);
const level = server.load<{ size: number }>('level.json');
const tile = server.load('tile.png');
const prop = server.load('prop.gltf');
/** The texture object first loaded (a reload keeps it). */
let firstTile: unknown = null;
setInterval(() => app.update(), 16);

const rt = await startRuntime({ workers: 1, sources: { 'service/imported.lua': imported }, services: { score } });
const a = await rt.spawn('imported', 'x');
const b = await rt.spawn('fetched');
const c = await rt.spawn('score', 'y');
(globalThis as { hmr?: unknown }).hmr = {
  loadId: Math.random(),
  addresses: [a, b],
  asset: () => ({ size: level.asset?.size ?? null, events: assetEvents }),
  texture: () => {
    firstTile ??= tile.asset;
    const image = tile.asset?.image as { width: number } | undefined;
    return { width: image?.width ?? null, same: tile.asset === firstTile, version: tile.asset?.version ?? 0 };
  },
  gltf: () => prop.asset?.scene.children.map((c) => c.name) ?? null,
  version: async () => [await rt.call(a, 'version'), await rt.call(b, 'version')],
  ts: {
    address: c,
    version: () => rt.call(c, 'version'),
    /** Starts a call the restart interrupts; resolves to its outcome. */
    slow: () => rt.call(c, 'slow').then(String, (e: Error) => `error: ${e.message}`),
  },
};
