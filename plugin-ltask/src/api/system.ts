/**
 * The privileged side of the system services (root, logger): what the worker
 * lends them beside the ordinary ServiceContext. Kept apart from api/service.ts
 * so that no user's service sees it; the package's root entry does not export
 * it.
 */
import type { Receipt, WorkerConfig, WorkerToHost } from '../wire/protocol.ts';
import type { ServiceTable } from '../wire/table.ts';
import type { Msg } from '../wire/transport/frame.ts';
import type { Handlers, ServiceContext } from './service.ts';

/** What the worker lends a system service: the parts of the runtime no ordinary service touches. */
export interface Privileges {
  readonly table: ServiceTable;
  readonly config: WorkerConfig;
  /** True for the TypeScript services that ship with the runtime. */
  builtin(name: string): boolean;
  /** Sends a message as it is (any type, any source). */
  send(m: Msg): Receipt;
  /** Posts to the host, after the messages already batched for it. */
  post(m: WorkerToHost): void;
  /** A log line to the host, as the service `source` wrote it. */
  log(level: 'info' | 'error', source: number, label: string, text: string): void;
  /** Where a service script is found (the path on the service path), or an error. */
  servicePath(name: string): Promise<string>;
}

/** The privileged context of a system service. */
export interface SystemContext extends Privileges {
  /** Sends a message of any type and resolves to the answer's values. */
  request(dest: number, type: number, values: unknown[]): Promise<unknown[]>;
  /** The sender of the request whose handler runs now (its synchronous part only); the host otherwise. */
  readonly requestSource: number;
  /** Called with the address of every service that ends, and why when it failed (root). */
  onSignal(f: (source: number, failure?: string) => void): void;
}

/** A system service's factory: the worker calls it with the privileged context beside the ordinary one. */
export type SystemServiceFactory = (ctx: ServiceContext, system: SystemContext, ...args: unknown[]) => Handlers | void | Promise<Handlers | void>;
