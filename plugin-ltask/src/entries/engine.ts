/**
 * `@ltask-web/plugin-ltask/engine`: the runtime inside an engine App (the
 * plugin, its `Ltask` resource and reply kinds, its stats and asset source).
 */
export * from '../host/engine/plugin.ts';
export * from '../host/engine/resource.ts';
export * from '../host/engine/stats.ts';
export * from '../host/engine/asset-source.ts';
export type { Runtime, RuntimeOptions } from '../api/runtime.ts';
export type { ServiceInfo } from '../wire/protocol.ts';
