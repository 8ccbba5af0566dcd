/**
 * The start-up bench's idle page: the demo's runtime (the same LtaskPlugin
 * options, services, natives, io and shared world) in an App that draws
 * nothing, so its main thread is free. The same first request as the demo
 * (`hello.greet`, made before the first frame) and the same first native
 * result (`levels.worlds`, SQLite on a carrier, asked once hello answered).
 * `document.body.dataset` gets `runtimeReadyAt`, `firstReplyAt`,
 * `firstNativeAt` (ms from page start) and `loaded`.
 */
import { App, MinimalPlugins, StatePlugin, Update } from '@ltask-web/engine';
import { Ltask, LtaskPlugin, defineReply } from '@ltask-web/plugin-ltask/engine';
import gltfpack from '../../game/natives/gltfpack.ts?ltask-native';
import ink from '../../game/natives/ink.ts?ltask-native';
import sqlite from '../../game/natives/sqlite.ts?ltask-native';
import { Flow } from '../../game/src/flow.ts';
import { npcWorld } from '../../game/src/npc-world.ts';

const sources: Record<string, string> = {};
for (const [path, text] of Object.entries(import.meta.glob<string>('../../game/service/*.lua', { import: 'default', eager: true }))) {
  sources[`service/${path.slice(path.lastIndexOf('/') + 1)}`] = text;
}
const root = new URL('/', location.href).href;
const HelloReply = defineReply('HelloReply');
const app = new App()
  .addPlugins(
    MinimalPlugins,
    new LtaskPlugin({ workers: 2, base: root, sources, natives: { gltfpack, sqlite, ink }, io: { backend: 'fetch', root, latencyMs: 0 }, statsIntervalMs: 500, world: npcWorld }),
    new StatePlugin(Flow),
  )
  .addEvent(HelloReply);
const lt = app.resource(Ltask);
const body = document.body.dataset;
lt.service('hello', 'Hello').catch(() => {});
lt.request(HelloReply, 'hello', 'greet', ['page']);
lt.whenReady().then(() => (body.runtimeReadyAt = lt.timings.ready.toFixed(1)), (e: Error) => (body.error = e.message));
app.addSystems(Update, function firstReply({ read }) {
  for (const e of read(HelloReply)) {
    if (!e.ok) {
      body.error = String(e.error?.message);
      continue;
    }
    body.firstReplyAt = lt.timings.firstReply.toFixed(1);
    const t0 = performance.now();
    lt.call('levels', 'worlds').then(
      () => {
        body.firstNativeAt = performance.now().toFixed(1);
        body.loaded = 'done';
        document.getElementById('out')!.textContent = 'done';
      },
      (err: Error) => (body.error = `levels.worlds after ${performance.now() - t0} ms: ${err.message}`),
    );
  }
});
void app.run();
