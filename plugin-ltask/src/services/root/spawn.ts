/**
 * Starting a service: root checks the options, takes a table row (a fresh one,
 * else the oldest freed), places it, records its label and kind, and asks the
 * chosen worker to start it. A new service counts for ltask's exit rule until
 * it is registered under a name.
 */
import type { SpawnOptions } from '../../api/spawn.ts';
import { MessageType } from '../../wire/protocol.ts';
import { ServiceTable } from '../../wire/table.ts';
import { place } from './place.ts';
import type { Root } from './state.ts';

/** Refuses options root cannot honour, before anything starts. */
function check(r: Root, o: SpawnOptions): void {
  if (r.stopping) throw new Error('[ltask] the runtime is stopping: cannot spawn ' + o.name);
  if (typeof o.name !== 'string' || !o.name) throw new Error('[ltask] spawn needs a service name');
  if (o.restart !== undefined && o.restart !== 'none' && o.restart !== 'restart' && o.restart !== 'backoff') {
    throw new Error(`[ltask] spawn ${o.name}: restart must be "none", "restart" or "backoff", not ${JSON.stringify(o.restart)}`);
  }
  if (o.runaway_ms !== undefined && !(typeof o.runaway_ms === 'number' && o.runaway_ms >= 0)) {
    throw new Error(`[ltask] spawn ${o.name}: runaway_ms must be a number of milliseconds >= 0 (0: never stop it)`);
  }
  if (o.mem_limit !== undefined && !(typeof o.mem_limit === 'number' && o.mem_limit >= 0)) {
    throw new Error(`[ltask] spawn ${o.name}: mem_limit must be a number of bytes >= 0 (0: no limit)`);
  }
}

/** Starts a service; resolves to its address once it has started. */
export async function spawn(r: Root, o: SpawnOptions): Promise<number> {
  check(r, o);
  const { sys } = r;
  const kind = sys.config.tsServices[o.name] !== undefined || sys.builtin(o.name) ? 'ts' : 'lua';
  const worker = place(r, o.worker_id, sys.requestSource);
  const addr = sys.table.allocate(() => r.freeRows.shift());
  sys.table.open(addr, worker);
  const label = o.label ?? o.name;
  r.info.set(ServiceTable.index(addr), { label, kind });
  r.anonymous.set(addr, true);
  try {
    await sys.request(addr, MessageType.SPAWN, [kind, o.name, label, o.args ?? [], { runawayMs: o.runaway_ms, memLimit: o.mem_limit }]);
  } catch (e) {
    r.anonymous.delete(addr);
    throw e;
  }
  if (o.restart && o.restart !== 'none') {
    r.supervised.set(addr, { options: o, started: Date.now(), restarts: [], delay: 0 });
  }
  return addr;
}
