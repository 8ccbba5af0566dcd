/**
 * The `ltask://` asset source: an engine `AssetReader` whose bytes come from
 * services, so a game's assets can be made (packed, generated, read from a
 * database) off the main thread and still load through the `AssetServer`.
 * @module
 */
import type { AssetReader, ReadOptions } from '@ltask-web/engine';
import { asBytes } from '../../wire/codec/bytes.ts';

/** What the reader needs of the `Ltask` resource: a call by service name that waits while the runtime starts. */
export interface ServiceCaller {
  call(target: string, method: string, ...args: unknown[]): Promise<unknown>;
}

/**
 * An asset reader over services: `service/method/path` calls
 * `method(path)` on the unique service `service` and takes its first result as
 * the bytes (a Lua string or a Uint8Array).
 */
export class LtaskAssetReader implements AssetReader {
  private readonly services: ServiceCaller;

  /** @param services the `Ltask` resource (or anything that calls services by name) */
  constructor(services: ServiceCaller) {
    this.services = services;
  }

  async read(path: string, { signal }: ReadOptions): Promise<Uint8Array> {
    const m = /^\/?([^/]+)\/([^/]+)\/(.+)$/.exec(path);
    if (!m) throw new Error(`[ltask] asset path "${path}" is not service/method/path`);
    const [, service, method, rest] = m as unknown as [string, string, string, string];
    signal.throwIfAborted();
    const value = await this.services.call(service, method, rest); // waits while the runtime starts
    signal.throwIfAborted();
    if (value === undefined || value === null || value === false) {
      throw new Error(`[ltask] ${service}.${method}("${rest}") returned no bytes`);
    }
    return asBytes(value);
  }
}
