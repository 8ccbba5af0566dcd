/**
 * TypeScript services that ship with the runtime, spawned by name like any
 * other (root, logger and timer by the host, at their fixed addresses).
 * Static imports here let bundlers include them in the worker build.
 */
import type { ServiceFactory } from '../worker/ts-service.ts';
import root from './root/index.ts';
import { logger, timer } from './system.ts';

const ready = (f: ServiceFactory) => () => Promise.resolve({ default: f });

export const BUILTIN_SERVICES: Record<string, () => Promise<{ default?: ServiceFactory }>> = {
  root: ready(root),
  logger: ready(logger),
  timer: ready(timer),
  io: () => import('./io/index.ts'),
};
