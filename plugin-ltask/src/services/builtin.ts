/**
 * TypeScript services that ship with the runtime, spawned by name like any
 * other (root, logger and timer by the host, at their fixed addresses).
 * Static imports here let bundlers include them in the worker build.
 *
 * The system ones get the worker's privileged context beside the ordinary one
 * (api/system.ts); the worker starts them only at their fixed addresses.
 */
import type { ServiceFactory } from '../api/service.ts';
import type { SystemServiceFactory } from '../api/system.ts';
import root from './root/index.ts';
import { logger, timer } from './system.ts';

/** The system services' factories, by name. */
export const SYSTEM_FACTORIES: Readonly<Record<string, SystemServiceFactory>> = { root, logger };

/** The other built-in services, by name: each loads its module on first spawn. */
export const BUILTIN_SERVICES: Readonly<Record<string, () => Promise<{ default?: ServiceFactory }>>> = {
  timer: () => Promise.resolve({ default: timer }),
  io: () => import('./io/index.ts'),
};

/** True for the TypeScript services that ship with the runtime, system ones included. */
export const isBuiltin = (name: string): boolean => Object.hasOwn(SYSTEM_FACTORIES, name) || Object.hasOwn(BUILTIN_SERVICES, name);
