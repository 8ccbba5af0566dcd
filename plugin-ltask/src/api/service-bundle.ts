/**
 * How a TypeScript service is named to the runtime: a bundle from the ltask()
 * vite plugin, or a module's URL or path. Types only.
 */

/**
 * A TypeScript service bundled as a worker module: what an import with the
 * `?ltask-service` suffix gives under the ltask() vite plugin. `service` is the
 * URL of a JavaScript ES module whose default export is the service's
 * factory, with the service's own imports (relative modules, npm packages)
 * bundled with it: in the dev server the module as vite serves it, in a
 * production build a chunk of its own. Pass it in `services`.
 *
 * @example
 * ```ts
 * /// <reference types="@ltask-web/plugin-ltask/client" />
 * import score from './score.ts?ltask-service';
 * const rt = await startRuntime({ services: { score } });
 * const addr = await rt.uniqueService('score');
 * ```
 */
export interface ServiceBundle {
  /** The URL of the service's module (JavaScript; its default export is a ServiceFactory). */
  readonly service: string;
}

/**
 * A TypeScript service's module: a {@link ServiceBundle} (the browser, dev and
 * builds), or the module's URL or path (resolved against the `base` option:
 * in Node a path such as `./score.ts`, loaded through tsx when it is
 * TypeScript).
 */
export type ServiceSource = string | URL | ServiceBundle;
