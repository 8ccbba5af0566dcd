/** `@ltask-web/plugin-ltask/testing/probe`: the probe native module (import it with `?ltask-native`). */
export { default } from '../carrier/probe.ts';
