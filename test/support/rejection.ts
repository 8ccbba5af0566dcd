/**
 * Checks shared by the Node and browser tests of a forgotten promise: a
 * TypeScript service's (crasher's `reject`) and a native module's
 * (fixtures/forgetful.ts, through fixtures/forgetful-user.ts).
 */
import { expect } from 'vitest';
import type { Runtime } from '@ltask-web/plugin-ltask';
import type { ServiceLogs } from './logs.ts';

/**
 * The line worker 1 logs for the crasher's forgotten promise: ctx.call to an
 * address no service has. Its stack names the crasher's module (`file`, as
 * each engine writes its frames), so the line is the crasher's.
 */
export const forgottenPromiseLine = (crasher: number, file: string): RegExp =>
  new RegExp(
    `^\\[crasher:${crasher}\\] \\[ltask\\] worker 1: an unhandled promise rejection, logged; the worker and its services go on ` +
      `\\(a promise with no catch in a TypeScript service on this worker: crasher \\(${crasher}\\), named by its stack\\): ` +
      `ServiceError: \\{service:999999\\} is dead\\n.*${file.replace(/[.-]/g, '\\$&')}[?:]`,
    's',
  );

/** Runtime options for the native case: the forgetful module and its TypeScript caller, `user`. */
export const forgetful = (services: Record<string, string>) => ({
  services: { ...services, user: new URL('../plugin-ltask/host/fixtures/forgetful-user.ts', import.meta.url).href },
  natives: { forgetful: new URL('../plugin-ltask/host/fixtures/forgetful.ts', import.meta.url).href },
});

/** A native function leaves a rejected promise: it is logged, and its carrier goes on, with the module's state. */
export async function expectCarrierGoesOn(r: Runtime, logs: ServiceLogs): Promise<void> {
  logs.expectError(
    /^\[ltask:0\] \[ltask\] carrier of native module forgetful: an unhandled promise rejection, logged; the carrier goes on \(a promise with no catch in a native module's function\): Error: forgetful: a promise with no catch\n.*forgetful\.ts[?:]/s,
  );
  const user = await r.spawnService({ name: 'user', worker_id: 1 });
  expect(await r.call(user, 'forget')).toBe('answered');
  const carrier = r.carriers()[0]!;
  // Time for the rejection to be seen: a carrier that ended would be gone from the list.
  await new Promise((res) => setTimeout(res, 300));
  expect(r.carriers()).toEqual([{ module: 'forgetful', id: carrier.id, busy: null }]);
  expect(await r.call(user, 'calls')).toBe(2); // the same instance: its count goes on
}
