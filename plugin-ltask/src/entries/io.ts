/** `@ltask-web/plugin-ltask/io`: the io service (its module is the service) and its backends. */
export * from '../services/io/index.ts';
export { default } from '../services/io/index.ts';
