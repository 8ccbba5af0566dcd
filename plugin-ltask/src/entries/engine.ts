/**
 * `@ltask-web/plugin-ltask/engine`: the runtime inside an engine App (the
 * plugin, its `Ltask` resource and reply kinds, its stats and asset source).
 */
export * from '../host/engine/plugin.ts';
export * from '../host/engine/resource.ts';
export * from '../host/engine/stats.ts';
export * from '../host/engine/asset-source.ts';
export { LtaskWorldStats } from '../host/engine/world/bridge.ts';
export type { LtaskWorldOptions, SharedComponent } from '../host/engine/world/options.ts';
export type { ServiceWorld, WorldComponents, WorldOf, WorldTime } from '../api/world.ts';
export type { Runtime, RuntimeOptions } from '../api/runtime.ts';
export type { ServiceInfo } from '../wire/protocol.ts';
