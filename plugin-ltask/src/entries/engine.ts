/** `@ltask-web/plugin-ltask/engine`: the runtime inside an engine App. */
export * from '../host/engine/plugin.ts';
