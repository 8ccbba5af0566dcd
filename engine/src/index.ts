/**
 * engine: a bevy-style App over bitecs with three.js rendering.
 *
 * One door per feature; `engine/prelude` re-exports the common names.
 * @example
 * ```ts
 * import { App, DefaultPlugins, Update, Time, query, Transform, rotateY } from '@ltask-web/engine';
 * new App().addPlugins(DefaultPlugins).addSystems(Update, ({ world, resource }) => {
 *   for (const eid of query(world, [Transform])) rotateY(eid, resource(Time).delta);
 * }).run();
 * ```
 * @module
 */
export * from './app/index.ts';
export * from './ecs/index.ts';
export * from './time/index.ts';
export * from './input/index.ts';
export * from './transform/index.ts';
export * from './render/index.ts';
export * from './diagnostics/index.ts';
export * from './assets/index.ts';
export * from './plugins/index.ts';
export * from './state/index.ts';
export * from './audio/index.ts';
export * from './ui/index.ts';
/** The common names, as a namespace (also importable as `engine/prelude`). */
export * as prelude from './prelude.ts';
