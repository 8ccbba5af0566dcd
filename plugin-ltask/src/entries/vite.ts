/** `@ltask-web/plugin-ltask/vite`: the vite plugin (isolation headers, Lua sources, `?ltask-native`). */
export * from '../vite/index.ts';
export { default } from '../vite/index.ts';
