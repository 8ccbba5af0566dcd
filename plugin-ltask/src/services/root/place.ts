/**
 * Where a new service runs: the worker it is pinned to, else its parent's
 * worker when that is nearly as free as the least loaded one, else the least
 * loaded worker (ties round-robin).
 */
import { Address, ServiceState } from '../../wire/protocol.ts';
import type { Root } from './state.ts';

/**
 * The worker of a new service. `parent` is the service that asked for it (0:
 * the host). A child starts on its parent's worker when that worker is
 * within one service of the least loaded one: a parent and the service it
 * spawns usually talk, and a call within one worker costs a fraction of a
 * call across workers (no ring, no wake-up of another thread); the margin
 * keeps a parent that spawns many children spread over the workers.
 */
export function place(r: Root, pin: number | undefined, parent: number): number {
  const { table, config } = r.sys;
  if (pin !== undefined) {
    if (!Number.isInteger(pin) || pin < 0 || pin >= config.workers) {
      throw new Error(`[ltask] invalid worker_id ${pin}: this runtime has workers 0..${config.workers - 1}`);
    }
    return pin;
  }
  // Least loaded; ties go round-robin so equal workers share new services.
  let best = -1;
  let bestLoad = Infinity;
  for (let i = 0; i < config.workers; i++) {
    const w = (r.nextWorker + i) % config.workers;
    const load = table.load(w);
    if (load < bestLoad) {
      best = w;
      bestLoad = load;
    }
  }
  const near = parent > Address.ROOT && table.valid(parent) && table.state(parent) !== ServiceState.DEAD ? table.worker(parent) : -1;
  if (near >= 0 && table.load(near) <= bestLoad + 1) return near;
  r.nextWorker = (best + 1) % config.workers;
  return best;
}
