/** The demo page: a frame counter that never stops, and a Lua service answering from a worker. */
import { startRuntime } from 'plugin-ltask';

const $ = (id: string) => document.getElementById(id)!;
let frames = 0;
const tick = () => {
  frames++;
  $('frames').textContent = String(frames);
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
$('isolated').textContent = String(globalThis.crossOriginIsolated);

async function main() {
  const rt = await startRuntime({ workers: 2, base: new URL('/', location.href).href });
  const hello = await rt.spawn('hello', 'Hello');
  $('reply').textContent = await rt.call<string>(hello, 'greet', 'page');
  (globalThis as { ltask?: unknown }).ltask = rt;
}

main().catch((e: Error) => {
  $('reply').textContent = `error: ${e.message}`;
  console.error(e);
});
