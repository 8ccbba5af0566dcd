/**
 * TypeScript services that ship with the runtime, spawned by name like any
 * other. Static imports here let bundlers include them in the worker build.
 */
import type { ServiceFactory } from '../worker/ts-service.ts';

export const BUILTIN_SERVICES: Record<string, () => Promise<{ default?: ServiceFactory }>> = {
  io: () => import('./io/index.ts'),
};
