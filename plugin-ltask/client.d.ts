// Types for the imports the ltask() vite plugin understands. Reference them
// once in your project: `/// <reference types="@ltask-web/plugin-ltask/client" />`
// (or add "@ltask-web/plugin-ltask/client" to compilerOptions.types).

/** A native module bundled with its carrier worker: pass it in `natives`. */
declare module '*?ltask-native' {
  const bundle: { readonly carrier: string };
  export default bundle;
}

/** A Lua source file's text. */
declare module '*.lua' {
  const source: string;
  export default source;
}
