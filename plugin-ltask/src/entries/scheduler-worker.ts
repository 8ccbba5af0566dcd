/** A scheduler worker's program. The host sends `init`, then messages. */
import { platform } from '#platform';
import { decode, encode } from '../wire/codec/index.ts';
import { Address, MessageType, ServiceState, type HostToWorker, type SourceReload } from '../wire/protocol.ts';
import { BUILTIN_SERVICES, SYSTEM_FACTORIES, isBuiltin } from '../services/builtin.ts';
import { ServiceTable } from '../wire/table.ts';
import { CarrierSlots } from '../wire/slots.ts';
import type { Msg } from '../wire/transport/index.ts';
import { LuaService } from '../worker/lua/lua-service.ts';
import { Scheduler } from '../worker/scheduler.ts';
import { SourceLoader } from '../worker/sources.ts';
import type { ServiceFactory } from '../api/service.ts';
import type { Privileges } from '../api/system.ts';
import { TsService } from '../worker/ts-service.ts';
import { fromLua54 } from '../worker/lua/compat.ts';
import { reasonText } from '../platform/rejection.ts';

const host = platform.parentEndpoint();
let sched: Scheduler | null = null;
let loader: SourceLoader | null = null;

/** What the system services (spawned by the host at their fixed addresses) may use. */
const privileges = (s: Scheduler, sources: SourceLoader): Privileges => ({
  table: s.table,
  config: s.config,
  builtin: isBuiltin,
  send: (m) => s.send(m),
  post: (m) => s.post(m),
  log: (level, source, label, text) => s.log(level, source, label, text),
  servicePath: (name) => sources.find('service', name).then((r) => r.path),
});

/**
 * Starts TypeScript service `name`: the module at its URL, else a built-in
 * one. A system service's factory also gets the privileged context (TsService
 * refuses it where the worker lent no privileges).
 */
function startTs(svc: TsService, name: string, url: string | undefined, args: unknown[]): Promise<void> {
  const system = url === undefined && Object.hasOwn(SYSTEM_FACTORIES, name) ? SYSTEM_FACTORIES[name]! : undefined;
  if (system) return Promise.resolve().then(() => svc.startSystem(system, name, args));
  spawnedAs.set(svc, { name, args });
  return loadFactory(name, url).then((factory) => svc.start(factory, args));
}

/** The factory of TypeScript service `name`: its module's default export, else a built-in one's. */
async function loadFactory(name: string, url: string | undefined): Promise<ServiceFactory> {
  const mod = (await (url !== undefined ? platform.importModule(url) : BUILTIN_SERVICES[name]!())) as { default?: unknown };
  if (typeof mod.default !== 'function') {
    const has = mod.default === undefined ? 'has no default export' : `exports a ${typeof mod.default} as default`;
    throw new Error(
      `[ltask] service ${name}: ${url} ${has}; a service module's default export is its factory: ` +
        "`export default defineService((ctx) => ({ ...handlers }))` (defineService from '@ltask-web/plugin-ltask/service')",
    );
  }
  return mod.default as ServiceFactory;
}

/** What each TypeScript service (not a system one) was spawned as: a hot reload starts it again so. */
const spawnedAs = new WeakMap<TsService, { name: string; args: unknown[] }>();
/** Hot reload: the newest module URL asked for at each address (an older import that ends later is dropped). */
const reloading = new Map<number, string>();

/**
 * Hot reload of TypeScript services: every one registered under a name in
 * `urls` imports its new module and, once that has loaded, restarts with it
 * at the same address, with its spawn arguments; messages queued meanwhile
 * wait for it. A module that fails to load leaves the running one in place.
 */
function reloadServices(s: Scheduler, urls: Record<string, string>): void {
  Object.assign(s.config.tsServices, urls);
  for (const old of s.services.values()) {
    const spawned = old instanceof TsService ? spawnedAs.get(old) : undefined;
    if (!spawned || old.closed || !Object.hasOwn(urls, spawned.name)) continue;
    const { address, label } = old;
    const url = urls[spawned.name]!;
    reloading.set(address, url);
    loadFactory(spawned.name, url).then(
      (factory) => {
        const current = s.services.get(address);
        if (reloading.get(address) !== url || !(current instanceof TsService) || current.closed) return;
        reloading.delete(address);
        restartTs(s, current, factory, spawned);
      },
      (e: Error) => {
        if (reloading.get(address) === url) reloading.delete(address);
        s.log('error', address, label, `[ltask] hot reload of ${spawned.name} failed, the running version goes on: ${e.stack ?? e.message}`);
      },
    );
  }
}

/** Puts a fresh instance of `old`'s service in its place and starts it with `factory`. */
function restartTs(s: Scheduler, old: TsService, factory: ServiceFactory, spawned: { name: string; args: unknown[] }): void {
  const fresh = new TsService(old.address, old.label, s);
  spawnedAs.set(fresh, spawned);
  s.replace(old, fresh, `{service:${old.address}} restarted (hot reload)`);
  s.log('info', old.address, old.label, `[ltask] hot reload: ${old.label} restarted with the new ${spawned.name}`);
  fresh.start(factory, spawned.args).then(
    () => {
      if (!fresh.closed) s.started(fresh);
    },
    (e: Error) => s.close(fresh, `[ltask] service ${spawned.name} failed to restart (hot reload): ${e.stack ?? e.message}`),
  );
}

type SpawnArgs = ['lua' | 'ts', string, string, unknown, { runawayMs?: number; memLimit?: number } | undefined];
type Answer = (type: number, v: unknown) => void;

/** Starts the service a SPAWN message asks for, and answers its sender when it is up (or failed). */
function spawn(s: Scheduler, sources: SourceLoader, m: Msg): void {
  const [kind, name, label, rawArgs, opts] = decode(m.payload) as SpawnArgs;
  const args = Array.isArray(rawArgs) ? rawArgs : [];
  const answer: Answer = (type, v) => s.send({ type, source: m.dest, dest: m.source, session: m.session, payload: encode([v]) });
  // A SPAWN that waited in the ring of a worker that died reaches its
  // replacement after the host marked the address dead: it stays dead.
  if (s.table.state(m.dest) === ServiceState.DEAD) {
    answer(MessageType.ERROR, `{service:${m.dest}} is dead: its worker died before it started`);
    return;
  }
  if (kind === 'ts') spawnTs(s, sources, m, name, label, args, answer);
  else spawnLua(s, sources, m, name, label, args, opts, answer);
}

function spawnTs(s: Scheduler, sources: SourceLoader, m: Msg, name: string, label: string, args: unknown[], answer: Answer): void {
  const system = m.source === Address.HOST && m.dest < Address.FIRST_FREE;
  const svc = new TsService(m.dest, label, s, system ? privileges(s, sources) : undefined);
  s.add(svc);
  startTs(svc, name, s.config.tsServices[name], args).then(
    () => {
      answer(MessageType.RESPONSE, true);
      if (svc.closed) return;
      s.started(svc);
    },
    (e: Error) => {
      answer(MessageType.ERROR, `[ltask] service ${name} failed to start: ${e.stack ?? e.message}`);
      s.close(svc);
    },
  );
}

function spawnLua(s: Scheduler, sources: SourceLoader, m: Msg, name: string, label: string, args: unknown[], opts: SpawnArgs[4], answer: Answer): void {
  // The script is fetched while the VM is made (the first VM of a worker takes tens of ms).
  const found = sources.find('service', name);
  found.catch(() => {}); // read below, unless the VM cannot be made
  let svc: LuaService;
  try {
    svc = new LuaService({ address: m.dest, label, sched: s, sources, runawayMs: opts?.runawayMs ?? s.config.runawayMs, memLimit: opts?.memLimit ?? s.config.memLimit });
  } catch (e) {
    answer(MessageType.ERROR, (e as Error).message);
    s.table.close(m.dest);
    return;
  }
  s.add(svc);
  found.then(
    ({ source, path }) => {
      if (svc.closed) return;
      const ended = svc.start(source, path, m, encodeArgs(args));
      if (ended) s.close(svc);
      else s.started(svc);
    },
    (e: Error) => {
      answer(MessageType.ERROR, `[ltask] cannot spawn ${name}: ${e.message}`);
      s.close(svc);
    },
  );
}

/** Hot reload: Lua services that run a changed script restart with it, at the same address. */
function reload(s: Scheduler, loader: SourceLoader, r: SourceReload): void {
  for (const p of r.paths) s.config.sources[p] = r.source;
  loader.forget();
  for (const old of [...s.services.values()]) {
    if (!(old instanceof LuaService) || old.closed || old.starting) continue;
    if (!r.paths.includes(old.scriptPath) && loader.urlPath(old.scriptPath) !== r.urlPath) continue;
    let fresh: LuaService;
    let source: string;
    try {
      source = fromLua54(r.source, old.scriptPath);
      fresh = new LuaService({ address: old.address, label: old.label, sched: s, sources: loader, runawayMs: old.runawayMs, memLimit: old.memLimit });
    } catch (e) {
      s.log('error', old.address, old.label, `[ltask] hot reload of ${old.scriptPath} failed: ${(e as Error).message}`);
      continue;
    }
    s.replace(old, fresh, `{service:${old.address}} restarted (hot reload)`);
    s.log('info', old.address, old.label, `[ltask] hot reload: ${old.label} restarted with the new ${old.scriptPath}`);
    const spawn: Msg = { type: MessageType.SPAWN, source: 0, dest: old.address, session: 0, payload: null };
    if (fresh.start(source, old.scriptPath, spawn, old.spawnArgs)) s.close(fresh);
    else s.started(fresh);
  }
}

const encodeArgs = (args: unknown[] | undefined): Uint8Array => encode(args ?? []);

/** The path of TypeScript service `name`'s module, as a stack names it (none for a built-in one). */
function modulePath(s: Scheduler, name: string): string | null {
  const url = s.config.tsServices[name];
  if (url === undefined) return null;
  try {
    const path = new URL(url).pathname;
    return /\.[cm]?[jt]sx?$/.test(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * A promise rejection that nothing handled, on this worker. As ltask logs an
 * error in a forked task and the service goes on, it is logged (reaches
 * `onLog`) and the worker and its services go on: one forgotten promise does
 * not take every service of the worker down (Node would end the thread) nor
 * stay in a browser's console. Which service made the promise is not known;
 * the line names the TypeScript services whose module the reason's stack
 * names (the line is theirs when that is one service), else all of this
 * worker's.
 */
function unhandledRejection(s: Scheduler | null, reason: unknown): void {
  const text = reasonText(reason);
  const ts = s ? [...s.services.values()].filter((x): x is TsService => x instanceof TsService && !x.closed && spawnedAs.has(x)) : [];
  const named = ts.filter((x) => {
    const path = modulePath(s!, spawnedAs.get(x)!.name);
    return path !== null && text.includes(path);
  });
  const listed = named.length ? named : ts;
  const names = listed.slice(0, 8).map((x) => `${x.label} (${x.address})`);
  if (listed.length > 8) names.push(`${listed.length - 8} more`);
  const which = names.length ? `: ${names.join(', ')}${named.length ? ', named by its stack' : ''}` : '';
  const line =
    `[ltask] worker ${s?.id ?? '?'}: an unhandled promise rejection, logged; the worker and its services go on ` +
    `(a promise with no catch in a TypeScript service on this worker${which}): ${text}`;
  const one = named.length === 1 ? named[0]! : null;
  if (s) s.log('error', one?.address ?? Address.HOST, one?.label ?? 'ltask', line);
  else console.error(line);
}

platform.onUnhandledRejection((reason) => unhandledRejection(sched, reason));

host.listen((data) => {
  const m = data as HostToWorker;
  switch (m.type) {
    case 'init': {
      const table = new ServiceTable(m.table);
      const sources = (loader = new SourceLoader(m.config, platform));
      const s = (sched = new Scheduler({
        id: m.workerId,
        config: m.config,
        table,
        rings: m.rings,
        slots: new CarrierSlots(m.carriers),
        host,
        spawn: (msg, scheduler) => spawn(scheduler, sources, msg),
      }));
      host.postMessage({ type: 'ready', workerId: m.workerId });
      s.wake();
      break;
    }
    case 'msgs':
      sched?.fromHost(m.batch);
      break;
    case 'carrier':
      sched?.native.carrier(m.slot, m.module, m.mailbox, m.gen);
      break;
    case 'native-bind':
      sched?.native.bind(m.callId, m.mailbox, m.carrier);
      break;
    case 'native-fail':
      sched?.native.fail(m.callId, m.error);
      break;
    case 'details':
      host.postMessage({ type: 'details', id: m.id, details: sched?.details() ?? {} });
      break;
    case 'peer':
      sched?.peerReplaced(m.worker, m.toPeer, m.fromPeer, m.dead, m.reason);
      break;
    case 'reload':
      if (sched && loader) reload(sched, loader, m.reload);
      break;
    case 'reload-services':
      if (sched) reloadServices(sched, m.services);
      break;
  }
});
