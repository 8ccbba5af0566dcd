/**
 * The root service (address 1): spawns services by name, keeps the unique and
 * named registry, answers introspection, and stops the runtime when the last
 * anonymous service has ended (ltask's rule: named services are then asked to
 * quit, newest first).
 *
 * This file is root's request table; each concern has its file here: state.ts
 * (what root keeps, journaled to the host), place.ts, spawn.ts, names.ts,
 * supervise.ts (restart policies), signals.ts (services that end), exit.ts.
 */
import type { Handlers } from '../../api/service.ts';
import type { SpawnOptions } from '../../api/spawn.ts';
import type { SystemServiceFactory } from '../../api/system.ts';
import { encode } from '../../wire/codec/js.ts';
import { Address, MessageType, Receipt, type ServiceInfo } from '../../wire/protocol.ts';
import type { RootSnapshot } from '../../wire/root-state.ts';
import { serviceRows } from '../../wire/rows.ts';
import { ServiceTable } from '../../wire/table.ts';
import { shutdown } from './exit.ts';
import { query, unique } from './names.ts';
import { ended, recover } from './signals.ts';
import { spawn } from './spawn.ts';
import { rootState, type Root } from './state.ts';

/** The root service: a system service (it gets the runtime's table and configuration). */
const root: SystemServiceFactory = (ctx, sys, restored) => {
  const r = rootState(ctx, sys, (restored as RootSnapshot | undefined) ?? {});
  sys.onSignal((source, failure) => ended(r, source, failure));
  recover(r);
  return handlers(r);
};
export default root;

/** Root's requests, as services and the host call them. */
function handlers(r: Root): Handlers {
  const { sys } = r;
  return {
    spawn: (name: string, ...args: unknown[]) => spawn(r, { name, args }),
    spawn_service: (o: SpawnOptions) => {
      if (typeof o !== 'object' || o === null) throw new Error(`[ltask] spawn_service needs a table like { name = "x" }, got ${o == null ? 'nil' : typeof o}`);
      return o.unique ? unique(r, o) : spawn(r, o);
    },
    uniqueservice: (name: string, ...args: unknown[]) => unique(r, { name, args }),
    queryservice: (name: string) => query(r, name),
    /**
     * Calls `method` on the unique service `name` (started, with no arguments,
     * unless it runs or is starting) and answers with every value it returned,
     * as one array: a caller that knows a service only by name gets its answer
     * without a round trip of its own in between (the host's first requests).
     */
    unique_call: async (name: string, method: string, ...args: unknown[]) => {
      const addr = await unique(r, { name, args: [] });
      return sys.request(addr, MessageType.REQUEST, [method, ...args]);
    },
    /** Asks a service to quit (its S.quit runs). */
    kill: (addr: number) => sys.request(addr, MessageType.SYSTEM, ['quit']).then(() => true, () => false),
    /** Every service not yet dead (all when `all` is true). */
    inspect: (all?: boolean): ServiceInfo[] => serviceRows(sys.table, { all, known: (a) => r.info.get(ServiceTable.index(a)), self: Address.ROOT }),
    /** Stops the runtime now: named services quit, then the host is told. */
    shutdown: () => void shutdown(r),
    /** ltask's name for shutdown. */
    quit_ltask: () => void shutdown(r),
    /** Where a service script is found on the service path. */
    servicepath: (name: string) => sys.servicePath(String(name)),
    /**
     * ltask's retry of a send that found its destination busy: resends the
     * request every 10 ms until it is taken (or the destination is gone).
     */
    send_retry: async (addr: number, session: number, type: number, ...values: unknown[]) => {
      const from = sys.requestSource; // the message goes on as the asker's
      for (;;) {
        const receipt = sys.send({ type: type ?? MessageType.REQUEST, source: from, dest: addr, session: session ?? 0, payload: encode(values) });
        if (receipt !== Receipt.BUSY) return receipt === Receipt.DONE;
        await new Promise((res) => setTimeout(res, 10));
      }
    },
    tracelog: () => {
      throw new Error('[ltask] tracelog: there is no message trace to turn on here; runtime.inspect() and ltask.backtrace() show what services wait on');
    },
  };
}
