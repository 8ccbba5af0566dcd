/**
 * `@ltask-web/plugin-ltask/testing`: the frame-timing scenario and its probe
 * loader.
 */
export * from '../host/testing/scenario.ts';
