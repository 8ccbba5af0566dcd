/**
 * The name registry: unique services (one per name, later callers wait for the
 * first start), `queryservice` (which waits for a name to appear), and
 * `local` services, whose instances run one per worker under `name@worker`.
 * A named service leaves ltask's exit rule: the runtime ends with the last
 * anonymous one.
 */
import type { SpawnOptions } from '../../api/spawn.ts';
import { Address, MessageType, ServiceState } from '../../wire/protocol.ts';
import { place } from './place.ts';
import { spawn } from './spawn.ts';
import type { Local, Root } from './state.ts';

/** Gives `name` to `addr` and answers whoever waited for it. */
export function register(r: Root, name: string, addr: number): void {
  r.anonymous.delete(addr);
  r.named.set(name, addr);
  for (const w of r.waiters.get(name) ?? []) w.resolve(addr);
  r.waiters.delete(name);
}

/** Resolves when `name` is registered (rejects when its unique start fails). */
function waitFor(r: Root, name: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const list = r.waiters.get(name) ?? [];
    list.push({ resolve, reject });
    r.waiters.set(name, list);
  });
}

/** The service registered as `o.name`, started with `o` unless it runs already. */
export async function unique(r: Root, o: SpawnOptions): Promise<number> {
  const have = r.named.get(o.name);
  if (have !== undefined && r.sys.table.state(have) !== ServiceState.DEAD) return have;
  if (r.pendingUnique.has(o.name)) return waitFor(r, o.name);
  r.pendingUnique.add(o.name);
  try {
    const addr = await spawn(r, o);
    const sup = r.supervised.get(addr);
    if (sup) r.supervised.set(addr, { ...sup, name: o.name });
    if (o.local) {
      r.locals.set(o.name, { options: o, by: new Map([[r.sys.table.worker(addr), Promise.resolve(addr)]]) });
      r.localOptions.set(o.name, o);
    }
    register(r, o.name, addr);
    return addr;
  } catch (e) {
    for (const w of r.waiters.get(o.name) ?? []) w.reject(e as Error);
    r.waiters.delete(o.name);
    throw e;
  } finally {
    r.pendingUnique.delete(o.name);
  }
}

/** The instance of a `local` service on `worker`, started on first use; every instance learns its peers. */
function localInstance(r: Root, name: string, local: Local, worker: number): Promise<number> {
  let p = local.by.get(worker);
  if (p) return p;
  const others = [...local.by.values()];
  const { sys } = r;
  p = (async () => {
    const addr = await spawn(r, { ...local.options, unique: false, worker_id: worker });
    r.anonymous.delete(addr); // a helper instance: it neither keeps the runtime alive nor ends it
    r.named.set(`${name}@${worker}`, addr);
    const all = [...(await Promise.all(others)), addr];
    const [settings] = await sys.request(all[0]!, MessageType.REQUEST, ['settings']);
    await sys.request(addr, MessageType.REQUEST, ['settings', settings]);
    await Promise.all(all.map((a) => sys.request(a, MessageType.REQUEST, ['peers', all])));
    return addr;
  })();
  local.by.set(worker, p);
  p.catch(() => local.by.delete(worker));
  return p;
}

/**
 * The service named `name`: for a `local` service, the instance on the
 * asking service's worker; else the registered one, or the first to register.
 */
export function query(r: Root, name: string): number | Promise<number> {
  const { table, requestSource } = r.sys;
  const local = r.locals.get(name);
  if (local && requestSource > Address.ROOT && table.valid(requestSource)) return localInstance(r, name, local, table.worker(requestSource));
  const addr = r.named.get(name);
  if (addr !== undefined) return addr;
  // The host's instance of a local service ended (its worker died): another one.
  if (local) return localInstance(r, name, local, place(r, undefined, Address.HOST)).then((a) => (r.named.set(name, a), a));
  return waitFor(r, name);
}
