// Types for the imports the ltask() vite plugin understands. Reference them
// once in your project: `/// <reference types="@ltask-web/plugin-ltask/client" />`
// (or add "@ltask-web/plugin-ltask/client" to compilerOptions.types).

/** A native module bundled with its carrier worker: pass it in `natives`. */
declare module '*?ltask-native' {
  const bundle: { readonly carrier: string };
  export default bundle;
}

/**
 * A TypeScript service bundled as a worker module (its own imports with it):
 * pass it in `services`. `service` is the URL of a JavaScript module whose
 * default export is the service's factory.
 */
declare module '*?ltask-service' {
  const bundle: { readonly service: string };
  export default bundle;
}

/** A Lua source file's text. */
declare module '*.lua' {
  const source: string;
  export default source;
}
