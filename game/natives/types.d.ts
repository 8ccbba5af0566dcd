/** Minimal types for gltfpack 1.3.0 (the package ships none). */
declare module 'gltfpack' {
  /** What gltfpack uses to open files: both called synchronously from inside wasm. */
  export interface GltfpackInterface {
    read(path: string): Uint8Array | undefined;
    write(path: string, data: Uint8Array): void;
  }
  /** Browser: instantiate library.wasm (once per realm). Node initialises itself on import. */
  export function init(wasm: BufferSource | Promise<BufferSource>): void;
  /** Runs gltfpack with command-line `args`; resolves to its log, rejects with it on failure. */
  export function pack(args: string[], iface: GltfpackInterface): Promise<string>;
}
