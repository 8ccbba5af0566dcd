/**
 * TypeScript services: a handler object on the same protocol as Lua services.
 * The contract users write against is api/service.ts; the system services
 * (root, logger) are started with the privileged context of api/system.ts.
 */
import { decode, encode } from '../wire/codec/index.ts';
import { ServiceError, errorPayload, errorText, errorValue } from '../wire/errors.ts';
import { Address, MessageType } from '../wire/protocol.ts';
import { remote } from '../wire/remote.ts';
import { Sessions } from '../wire/session.ts';
import type { Msg } from '../wire/transport/index.ts';
import type { Handlers, ServiceContext, ServiceFactory } from '../api/service.ts';
import type { Privileges, SystemContext, SystemServiceFactory } from '../api/system.ts';
import type { Scheduler } from './scheduler.ts';
import { HostedService } from './service.ts';
import { WorldApi } from './world-api.ts';
import { worldOf } from './world.ts';

export class TsService extends HostedService {
  handlers: Handlers | null = null;
  /** System services only: called when another service ends (root). */
  private onSignal: ((source: number, failure?: string) => void) | null = null;
  private readonly client: Sessions;
  private callbacks = new Map<number, (...a: unknown[]) => unknown>();
  private nextCallback = 1;
  private ended = false;
  /** The sender of the request whose handler is running (its synchronous part only); the host otherwise. */
  private requestSource: number = Address.HOST;
  /** Requests being handled (their handler's promise not settled yet). */
  private readonly inFlight = new Set<Msg>();
  readonly ctx: ServiceContext;
  /** `ctx.world`, made on first use. */
  private worldApi: WorldApi | null = null;

  constructor(
    address: number,
    label: string,
    private readonly sched: Scheduler,
    private readonly privileges?: Privileges,
  ) {
    super(address, label);
    this.client = new Sessions(address, (m) => sched.send(m), () => sched.config.maxMessageBytes);
    this.ctx = this.makeContext();
  }

  /** Runs the factory; resolves when the service is ready (or rejects with its error). */
  async start(factory: ServiceFactory, args: unknown[]): Promise<void> {
    this.ready(await factory(this.ctx, ...args));
  }

  /** Runs a system service's factory with the privileged context, which only a service the worker lent privileges to has. */
  async startSystem(factory: SystemServiceFactory, name: string, args: unknown[]): Promise<void> {
    if (!this.privileges) throw new Error(`[ltask] ${name} runs only as a system service, at its fixed address`);
    this.ready(await factory(this.ctx, this.systemContext(this.privileges), ...args));
  }

  /** The factory's answer: the handlers, or nothing (the service quits). */
  private ready(h: Handlers | void): void {
    if (this.ended) return;
    if (!h) {
      this.ctx.quit();
      return;
    }
    this.handlers = h;
  }

  handle(m: Msg): boolean {
    switch (m.type) {
      case MessageType.REQUEST:
      case MessageType.SYSTEM:
        this.request(m);
        break;
      case MessageType.SIGNAL:
        this.onSignal?.(m.source, m.payload ? String(decode(m.payload)[0]) : undefined);
        break;
      case MessageType.CALLBACK:
        this.callback(m);
        break;
      case MessageType.RESPONSE:
      case MessageType.ERROR:
        this.client.settle(m);
        break;
      case MessageType.TICK:
        try {
          this.worldApi?.tick();
        } catch (e) {
          // As a Lua service's failed tick: its writes are dropped, the error logged, the service goes on.
          this.sched.log('error', this.address, this.label, `[world] tick failed, its writes dropped: ${e instanceof Error ? e.message : String(e)}`);
        }
        break;
    }
    return this.ended;
  }

  private request(m: Msg): void {
    const [name, ...args] = decode(m.payload);
    if (name === 'world.event') return this.worldEvent(args[0] as string, args[1]);
    // Answered once: by the handler, or with the reason when the service ends first.
    if (m.session !== 0) this.inFlight.add(m);
    const reply = (v: unknown) => {
      if (m.session === 0 || !this.inFlight.delete(m)) return;
      let payload: Uint8Array;
      try {
        payload = encode([v], this.sched.config.maxMessageBytes);
      } catch (e) {
        return fail(e);
      }
      this.sched.send({ type: MessageType.RESPONSE, source: this.address, dest: m.source, session: m.session, payload });
    };
    const fail = (e: unknown): void => {
      const text = errorText(e, this.address, this.label);
      if (m.session === 0) return this.sched.log('error', this.address, this.label, text);
      if (!this.inFlight.delete(m)) return;
      this.sched.send({ type: MessageType.ERROR, source: this.address, dest: m.source, session: m.session, payload: errorPayload(text, errorValue(e)) });
    };
    if (m.type === MessageType.SYSTEM) {
      if (name === 'quit') {
        void Promise.resolve(this.handlers?.quit?.()).finally(() => {
          reply(true);
          this.ctx.quit();
        });
      } else if (name === 'memory') {
        fail(new Error('[ltask] memory: a TypeScript service shares its worker\'s JS heap; there is no count of its own'));
      } else fail(new Error(`unknown system message "${String(name)}"`));
      return;
    }
    const f = this.handlers?.[name as string];
    if (typeof f !== 'function') {
      fail(new Error(`[ltask] unknown request "${String(name)}" to service ${this.address} (${this.label})`));
      return;
    }
    this.requestSource = m.source;
    // A handler that throws drops what it wrote to the world (the part before any await).
    const mark = this.world?.buffer.length ?? 0;
    try {
      const r = f.apply(this.handlers, args);
      if (r instanceof Promise) r.then(reply, fail);
      else reply(r);
    } catch (e) {
      this.world?.buffer.truncate(mark);
      fail(e);
    } finally {
      this.requestSource = Address.HOST;
    }
  }

  /** An App event for `ctx.world.on` listeners: one that throws drops its writes and is logged, as a Lua one. */
  private worldEvent(kind: string, value: unknown): void {
    const mark = this.world?.buffer.length ?? 0;
    try {
      this.worldApi?.event(kind, value);
    } catch (e) {
      this.world?.buffer.truncate(mark);
      this.sched.log('error', this.address, this.label, `[world] ${kind} listener failed, its writes dropped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Runs a native call's callback; its result goes back to the waiting carrier. */
  private callback(m: Msg): void {
    const [id, ...args] = decode(m.payload);
    const f = this.callbacks.get(id as number);
    const done = (ok: boolean, v: unknown) => {
      let payload: Uint8Array;
      try {
        payload = encode([ok ? v : v instanceof Error ? v.message : String(v)], this.sched.config.maxMessageBytes);
      } catch (e) {
        ok = false;
        payload = encode([`[ltask] the callback's results cannot cross: ${(e as Error).message}`]);
      }
      this.sched.send({ type: ok ? MessageType.CALLBACK_RETURN : MessageType.CALLBACK_ERROR, source: this.address, dest: m.source, session: m.session, payload });
    };
    if (!f) return done(false, new Error('[ltask] the callback of this native call is gone'));
    new Promise((resolve) => resolve(f(...args))).then((v) => done(true, v), (e) => done(false, e));
  }

  private nativeCall(module: string, fn: string, args: unknown[]): Promise<unknown> {
    const ids: number[] = [];
    let payload: Uint8Array;
    try {
      // [parent call, module, fn, ...args], encoded once: the carrier decodes it.
      payload = encode([0, module, fn, ...args], this.sched.config.maxMessageBytes, (f) => {
        const id = this.nextCallback++;
        this.callbacks.set(id, f);
        ids.push(id);
        return id;
      });
    } catch (e) {
      for (const id of ids) this.callbacks.delete(id);
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const session = this.client.open();
    const result = this.client.wait(session);
    this.sched.send({ type: MessageType.NATIVE_CALL, source: this.address, dest: 0, session, payload });
    const release = () => {
      for (const id of ids) this.callbacks.delete(id);
    };
    return result.then(
      (v) => (release(), v[0]),
      (e: unknown) => {
        release();
        throw e;
      },
    );
  }

  /** Sends a message of any type and waits for the answer to its session. */
  private rawCall(dest: number, type: number, values: unknown[]): Promise<unknown[]> {
    return this.client.call(dest, type, values);
  }

  peersDied(dead: ReadonlySet<number>, text: (addr: number) => string): void {
    this.client.failTo(dead, text);
  }

  dispose(reason: string): void {
    this.ended = true;
    this.client.failAll(new ServiceError(reason));
    for (const m of this.inFlight) {
      this.sched.send({ type: MessageType.ERROR, source: this.address, dest: m.source, session: m.session, payload: encode([reason]) });
    }
    this.inFlight.clear();
  }

  private makeContext(): ServiceContext {
    const sched = this.sched;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const svc = this;
    const fmt = (a: unknown[]) => a.map((x) => (typeof x === 'string' ? x : x instanceof Error ? x.message : JSON.stringify(x) ?? String(x))).join('\t');
    const callMulti = (addr: number, name: string, ...args: unknown[]) => this.client.call(addr, MessageType.REQUEST, [name, ...args]);
    const call = async <T>(addr: number, name: string, ...args: unknown[]) => (await callMulti(addr, name, ...args))[0] as T;
    return {
      self: this.address,
      label: this.label,
      workerId: sched.id,
      callMulti,
      call,
      remote: <T>(addr: number) => remote<T>((name, ...args) => call(addr, name, ...args)),
      send: (addr, name, ...args) => this.client.send(addr, [name, ...args]),
      spawn: async (name, ...args) => (await callMulti(Address.ROOT, 'spawn', name, ...args))[0] as number,
      uniqueService: async (name, ...args) => (await callMulti(Address.ROOT, 'uniqueservice', name, ...args))[0] as number,
      queryService: async (name) => (await callMulti(Address.ROOT, 'queryservice', name))[0] as number,
      sleep: (cs) => new Promise((r) => setTimeout(r, Math.max(0, cs) * 10)),
      log: {
        info: (...a) => sched.log('info', this.address, this.label, fmt(a)),
        error: (...a) => sched.log('error', this.address, this.label, fmt(a)),
      },
      native: (name) =>
        new Proxy<Record<string, (...args: unknown[]) => Promise<unknown>>>({}, {
          get: (_, fn) => (typeof fn === 'string' ? (...args: unknown[]) => this.nativeCall(name, fn, args) : undefined),
        }),
      get world() {
        return (svc.worldApi ??= new WorldApi(sched.world!, worldOf(sched.world, svc)));
      },
      quit: () => {
        if (this.ended) return;
        this.ended = true;
        sched.close(this);
      },
    };
  }

  private systemContext(p: Privileges): SystemContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const svc = this;
    return {
      ...p,
      request: (dest, type, values) => this.rawCall(dest, type, values),
      get requestSource() {
        return svc.requestSource;
      },
      onSignal: (f) => {
        this.onSignal = f;
      },
    };
  }
}
