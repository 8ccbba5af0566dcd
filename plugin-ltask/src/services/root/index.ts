/**
 * The root service (address 1): spawns services by name, keeps the unique and
 * named registry, answers introspection, and stops the runtime when the last
 * anonymous service has ended (ltask's rule: named services are then asked to
 * quit, newest first).
 */
import { encode } from '../../wire/codec/js.ts';
import { Address, MessageType, Receipt, SYSTEM_SERVICES, ServiceState, stateName, type ServiceInfo } from '../../wire/protocol.ts';
import type { Handlers, ServiceContext, ServiceFactory } from '../../worker/ts-service.ts';
import { Fifo } from '../../worker/queue.ts';
import { JournaledMap, type RootOp, type RootSnapshot } from '../../wire/root-state.ts';
import { ServiceTable } from '../../wire/table.ts';

/** `spawn_service` options (ltask's table form). */
export interface SpawnOptions {
  name: string;
  args?: unknown[];
  /** Pin the service to this worker. */
  worker_id?: number;
  /** Register under `name` and return the existing one if any. */
  unique?: boolean;
  /** Label shown in introspection (default: the name). */
  label?: string;
  /**
   * With `unique`: one instance per worker. `queryservice(name)` from a
   * service answers the instance on that service's own worker, started there
   * (with the same args) on first use; the host gets the first instance. For
   * stateless services every service calls often, like io: a call within a
   * worker wakes no other thread. Every instance gets a `peers(addrs)` request
   * whenever one starts, so they can share settings; a new instance first
   * gets `settings(s)` with what the first instance's `settings()` answers.
   */
  local?: boolean;
  /**
   * What root does when the service fails (a JS exception out of its VM, its
   * memory limit, its worker crashing or frozen); quitting or being killed is
   * not a failure. `"none"` (default): nothing. `"restart"`: start it again
   * at once with the same options, at most 5 times in 10 s (then it stays
   * dead and root logs why). `"backoff"`: start it again after 100 ms,
   * doubling up to 5 s while it keeps failing within 10 s of its start. The
   * new instance has a new address; a unique service's name moves to it.
   */
  restart?: 'none' | 'restart' | 'backoff';
  /** This service's `runawayMs` (a Lua handler that runs longer without yielding is stopped); 0: never. */
  runaway_ms?: number;
  /**
   * This Lua service's memory limit in bytes (the runtime's `memLimit` by
   * default; 0: none), on the estimate `ltask.mem_count` gives. Over it, the
   * running handler fails; still over after a message, the service fails.
   */
  mem_limit?: number;
}

/** How often and how soon root restarts a failed service. */
const RESTART = { max: 5, windowMs: 10_000, firstDelayMs: 100, maxDelayMs: 5_000 };

interface Waiter {
  resolve(addr: number): void;
  reject(e: Error): void;
}

const QUIT_TIMEOUT_MS = 3000;

/** The root service: a system service (its context carries the runtime's table and configuration). */
const root: ServiceFactory = (ctx, restored) => createRoot(ctx, (restored as RootSnapshot | undefined) ?? {});
export default root;

interface Supervised {
  options: SpawnOptions;
  name?: string;
  started: number;
  restarts: number[];
  delay: number;
}

function createRoot(ctx: ServiceContext, restored: RootSnapshot): Handlers {
  const sys = ctx.system;
  if (!sys) throw new Error('[ltask] root runs only as the system service at address 1');
  const table = sys.table;
  const config = sys.config;
  // The registry is journaled to the host (one message per turn of root), which
  // gives it back to the root that replaces this one if worker 0 dies.
  let ops: RootOp[] = [];
  const journal = (op: RootOp) => {
    if (ops.length === 0) queueMicrotask(() => {
      sys.post({ type: 'root-state', ops });
      ops = [];
    });
    ops.push(op);
  };
  // (The snapshot crossed as a message: an empty list arrives as an empty table.)
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  const saved = <K, V>(name: string) => new JournaledMap<K, V>(name, journal, list<[K, V]>(restored[name]));
  /** Label and kind by table row (a reused row's new service replaces its entry). */
  const info = saved<number, { label: string; kind: 'lua' | 'ts' }>('info');
  /** The services of ltask's exit rule (the runtime ends with the last one). */
  const anonymous = saved<number, true>('anonymous');
  const named = saved<string, number>('named');
  /** The options of `local` services (their instances are in `named` as name and name@worker). */
  const localOptions = saved<string, SpawnOptions>('locals');
  const waiters = new Map<string, Waiter[]>();
  const pendingUnique = new Set<string>();
  /** Per-worker instances of `local` services: name -> worker -> address (or its start). */
  const locals = new Map<string, { options: SpawnOptions; by: Map<number, Promise<number>> }>();
  let nextWorker = 0;
  let stopping = false;
  /** Services with a restart policy: their options and recent restarts. */
  const supervised = saved<number, Supervised>('supervised');
  for (const [a, s] of supervised) supervised.set(a, { ...s, restarts: list(s.restarts) });
  /** Rows of dead services, oldest first: reused (at their next generation) once every fresh row is taken. */
  const freeRows = new Fifo<number>();
  const takeFree = (): number | undefined => freeRows.shift();
  /** Restarts waiting for their delay: the runtime does not end meanwhile. */
  let restarting = 0;

  for (const { name, address } of SYSTEM_SERVICES) {
    info.set(ServiceTable.index(address), { label: name, kind: 'ts' });
    if (address !== Address.ROOT) named.set(name, address);
  }

  /**
   * Where a new service runs. `parent` is the service that asked for it (0:
   * the host). A child starts on its parent's worker when that worker is
   * within one service of the least loaded one: a parent and the service it
   * spawns usually talk, and a call within one worker costs a fraction of a
   * call across workers (no ring, no wake-up of another thread); the margin
   * keeps a parent that spawns many children spread over the workers.
   */
  const place = (pin: number | undefined, parent: number): number => {
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
      const w = (nextWorker + i) % config.workers;
      const load = table.load(w);
      if (load < bestLoad) {
        best = w;
        bestLoad = load;
      }
    }
    const near = parent > Address.ROOT && table.valid(parent) && table.state(parent) !== ServiceState.DEAD ? table.worker(parent) : -1;
    if (near >= 0 && table.load(near) <= bestLoad + 1) return near;
    nextWorker = (best + 1) % config.workers;
    return best;
  };

  const spawn = async (o: SpawnOptions): Promise<number> => {
    if (stopping) throw new Error('[ltask] the runtime is stopping: cannot spawn ' + o.name);
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
    const kind = config.tsServices[o.name] !== undefined || sys.builtin(o.name) ? 'ts' : 'lua';
    const worker = place(o.worker_id, sys.requestSource);
    const addr = table.allocate(takeFree);
    table.open(addr, worker);
    const label = o.label ?? o.name;
    info.set(ServiceTable.index(addr), { label, kind });
    anonymous.set(addr, true);
    try {
      await sys.request(addr, MessageType.SPAWN, [kind, o.name, label, o.args ?? [], { runawayMs: o.runaway_ms, memLimit: o.mem_limit }]);
    } catch (e) {
      anonymous.delete(addr);
      throw e;
    }
    if (o.restart && o.restart !== 'none') {
      supervised.set(addr, { options: o, started: Date.now(), restarts: [], delay: 0 });
    }
    return addr;
  };

  /** A supervised service failed: start it again (its policy permitting). */
  const restart = (addr: number, failure: string) => {
    const s = supervised.get(addr)!;
    supervised.delete(addr);
    if (stopping) return;
    const now = Date.now();
    const recent = s.restarts.filter((t) => now - t < RESTART.windowMs);
    const what = `${s.options.label ?? s.options.name} (${addr})`;
    if (s.options.restart === 'restart' && recent.length >= RESTART.max) {
      ctx.log.error(`[ltask] ${what} failed ${RESTART.max + 1} times within ${RESTART.windowMs / 1000} s: not restarted again. Last failure: ${failure}`);
      return;
    }
    const quick = now - s.started < RESTART.windowMs;
    const delay = s.options.restart === 'backoff' ? (quick && s.delay ? Math.min(RESTART.maxDelayMs, s.delay * 2) : RESTART.firstDelayMs) : 0;
    ctx.log.error(`[ltask] ${what} failed; restarting it${delay ? ` in ${delay} ms` : ''}: ${failure}`);
    restarting++;
    setTimeout(() => {
      restarting--;
      if (stopping) return;
      spawn(s.options).then(
        (fresh) => {
          const again = supervised.get(fresh);
          if (again) supervised.set(fresh, { ...again, restarts: [...recent, now], delay });
          if (s.name !== undefined) register(s.name, fresh);
        },
        (e: Error) => {
          ctx.log.error(`[ltask] ${what} could not be restarted: ${e.message}`);
          if (anonymous.size === 0 && restarting === 0) void shutdown();
        },
      );
    }, delay);
  };

  const register = (name: string, addr: number) => {
    anonymous.delete(addr);
    named.set(name, addr);
    for (const w of waiters.get(name) ?? []) w.resolve(addr);
    waiters.delete(name);
  };

  const waitFor = (name: string) => new Promise<number>((resolve, reject) => {
    const list = waiters.get(name) ?? [];
    list.push({ resolve, reject });
    waiters.set(name, list);
  });

  const unique = async (o: SpawnOptions): Promise<number> => {
    const have = named.get(o.name);
    if (have !== undefined && table.state(have) !== ServiceState.DEAD) return have;
    if (pendingUnique.has(o.name)) return waitFor(o.name);
    pendingUnique.add(o.name);
    try {
      const addr = await spawn(o);
      const sup = supervised.get(addr);
      if (sup) supervised.set(addr, { ...sup, name: o.name });
      if (o.local) {
        locals.set(o.name, { options: o, by: new Map([[table.worker(addr), Promise.resolve(addr)]]) });
        localOptions.set(o.name, o);
      }
      register(o.name, addr);
      return addr;
    } catch (e) {
      for (const w of waiters.get(o.name) ?? []) w.reject(e as Error);
      waiters.delete(o.name);
      throw e;
    } finally {
      pendingUnique.delete(o.name);
    }
  };

  /** The instance of a `local` service on `worker`, started on first use; every instance learns its peers. */
  const localInstance = (name: string, local: { options: SpawnOptions; by: Map<number, Promise<number>> }, worker: number): Promise<number> => {
    let p = local.by.get(worker);
    if (p) return p;
    const others = [...local.by.values()];
    p = (async () => {
      const addr = await spawn({ ...local.options, unique: false, worker_id: worker });
      anonymous.delete(addr); // a helper instance: it neither keeps the runtime alive nor ends it
      named.set(`${name}@${worker}`, addr);
      const all = [...(await Promise.all(others)), addr];
      const [settings] = await sys.request(all[0]!, MessageType.REQUEST, ['settings']);
      await sys.request(addr, MessageType.REQUEST, ['settings', settings]);
      await Promise.all(all.map((a) => sys.request(a, MessageType.REQUEST, ['peers', all])));
      return addr;
    })();
    local.by.set(worker, p);
    p.catch(() => local.by.delete(worker));
    return p;
  };

  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    const names = [...named.entries()].reverse();
    for (const [name, addr] of names) {
      if (table.state(addr) === ServiceState.DEAD) continue;
      try {
        await Promise.race([
          sys.request(addr, MessageType.SYSTEM, ['quit']),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), QUIT_TIMEOUT_MS)),
        ]);
      } catch (e) {
        ctx.log.error(`named service ${name} (${addr}) did not quit cleanly: ${(e as Error).message}`);
      }
    }
    sys.post({ type: 'exit', code: 0 });
  };

  /** A service ended (a SIGNAL; `failure` when it failed): the registry forgets it. */
  const ended = (source: number, failure?: string) => {
    anonymous.delete(source);
    if (source >= Address.FIRST_FREE) freeRows.push(ServiceTable.index(source));
    if (supervised.has(source)) {
      if (failure !== undefined) restart(source, failure);
      else supervised.delete(source);
    }
    for (const local of locals.values()) {
      for (const [w, p] of local.by) void p.then((a) => a === source && local.by.delete(w), () => {});
    }
    for (const [name, addr] of named) if (addr === source) named.delete(name);
    if (anonymous.size === 0 && restarting === 0 && !stopping) void shutdown();
  };
  sys.onSignal(ended);

  // A root that replaces one that died with worker 0: the local services'
  // instances come back from the names, and services that ended meanwhile on
  // other workers (their SIGNALs found no root) are forgotten now. Those of
  // worker 0 are signalled by the host, with the cause (restart policies apply).
  for (const [name, options] of localOptions) {
    const by = new Map<number, Promise<number>>();
    for (const [key, addr] of named) if (key === name || key.startsWith(`${name}@`)) by.set(table.worker(addr), Promise.resolve(addr));
    locals.set(name, { options, by });
  }
  const known = new Set([...anonymous.keys(), ...named.values(), ...supervised.keys()]);
  for (const a of known) if (a >= Address.FIRST_FREE && table.state(a) === ServiceState.DEAD && table.worker(a) !== 0) ended(a);

  return {
    spawn: (name: string, ...args: unknown[]) => spawn({ name, args }),
    spawn_service: (o: SpawnOptions) => (o.unique ? unique(o) : spawn(o)),
    uniqueservice: (name: string, ...args: unknown[]) => unique({ name, args }),
    queryservice: (name: string) => {
      const local = locals.get(name);
      if (local && sys.requestSource > Address.ROOT && table.valid(sys.requestSource)) return localInstance(name, local, table.worker(sys.requestSource));
      const addr = named.get(name);
      if (addr !== undefined) return addr;
      // The host's instance of a local service ended (its worker died): another one.
      if (local) return localInstance(name, local, place(undefined, Address.HOST)).then((a) => (named.set(name, a), a));
      return waitFor(name);
    },
    /** Asks a service to quit (its S.quit runs). */
    kill: (addr: number) => sys.request(addr, MessageType.SYSTEM, ['quit']).then(() => true, () => false),
    /** Every service not yet dead (all when `all` is true). */
    inspect: (all?: boolean): ServiceInfo[] => {
      const rows: ServiceInfo[] = [];
      for (const a of table.addresses()) {
        const st = table.state(a);
        if (st === ServiceState.UNUSED || (!all && st === ServiceState.DEAD)) continue;
        const i = info.get(ServiceTable.index(a));
        rows.push({
          address: a,
          label: i?.label ?? '?',
          kind: i?.kind ?? 'lua',
          worker: table.worker(a),
          // Root is running this very inspect: that is not work to show (a stats
          // poll would make it look permanently busy).
          state: a === Address.ROOT && st === ServiceState.RUNNING ? (table.queue(a) > 0 ? 'ready' : 'idle') : stateName(st),
          queue: table.queue(a),
          handled: table.handled(a),
          cpuMs: Math.round(table.cpuMs(a) * 1000) / 1000,
        });
      }
      return rows;
    },
    /** Stops the runtime now: named services quit, then the host is told. */
    shutdown: () => void shutdown(),
    /** ltask's name for shutdown. */
    quit_ltask: () => void shutdown(),
    /** Where a service script is found on the service path. */
    servicepath: (name: string) => sys.servicePath(String(name)),
    /**
     * ltask's retry of a send that found its destination busy: resends the
     * request every 10 ms until it is taken (or the destination is gone).
     */
    send_retry: async (addr: number, session: number, type: number, ...values: unknown[]) => {
      const from = sys.requestSource; // the message goes on as the asker's
      for (;;) {
        const r = sys.send({ type: type ?? MessageType.REQUEST, source: from, dest: addr, session: session ?? 0, payload: encode(values) });
        if (r !== Receipt.BUSY) return r === Receipt.DONE;
        await new Promise((res) => setTimeout(res, 10));
      }
    },
    tracelog: () => {
      throw new Error('[ltask] tracelog: there is no message trace to turn on here; runtime.inspect() and ltask.backtrace() show what services wait on');
    },
  };
}
