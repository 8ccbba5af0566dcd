/**
 * Browser tests of the bridge: a runtime over game/service with the three native
 * modules, the page's origin (the vite dev server, public/ at /) as its base.
 */
import { startRuntime, type Runtime, type RuntimeOptions } from '@ltask-web/plugin-ltask';

const native = (name: string) => new URL(`../../../game/natives/${name}.ts`, import.meta.url).href;

/** The dev server's root URL: public/ is served there. */
export const ROOT = new URL('/', location.href).href;

/** Starts the runtime (2 workers) with `io` and `onLog`. */
export function startBrowserBridge(io: RuntimeOptions['io'], onLog: RuntimeOptions['onLog']): Promise<Runtime> {
  return startRuntime({
    workers: 2,
    base: ROOT,
    servicePath: 'game/service/?.lua',
    natives: { gltfpack: native('gltfpack'), sqlite: native('sqlite'), ink: native('ink') },
    io,
    onLog,
  });
}
