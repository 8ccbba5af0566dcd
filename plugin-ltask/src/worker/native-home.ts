/**
 * The home side of native calls: the worker where the calling service lives.
 *
 * Services reach it the way they reach anything: a NATIVE_CALL or
 * CALLBACK_RETURN/ERROR message through their scheduler's `send`. It claims an
 * idle carrier (or asks the host for one), polls the carriers' mailboxes when
 * the doorbell rings, turns callback requests into CALLBACK messages in the
 * service's queue (so the service's VM still runs one message at a time, here
 * only), hands the callbacks' results back, and ends the call with a RESPONSE
 * or ERROR to the caller's session when the carrier's final packet arrives.
 *
 * It knows its worker only through {@link NativePort}.
 */
import { peek } from '../wire/codec/js.ts';
import { HomeBox, Packet, type Received } from '../wire/mailbox.ts';
import type { NativeRequest } from '../wire/native.ts';
import { callWorker, type CarrierSlots } from '../wire/slots.ts';
import { encode } from '../wire/codec/js.ts';
import { pollFor } from '../wire/transport/spin.ts';
import { MessageType, Receipt, type WorkerToHost } from '../wire/protocol.ts';
import type { Msg } from '../wire/transport/frame.ts';

/** What the native home needs of its worker. */
export interface NativePort {
  /** The worker's id. */
  readonly id: number;
  /** The carrier table: idle carriers are claimed there. */
  readonly slots: CarrierSlots;
  /** Native module names; a module's index is its position. */
  readonly modules: readonly string[];
  /** A call running longer fails and its carrier is replaced (0: never). */
  readonly callTimeoutMs: number;
  /** Puts a message into a local service's queue. */
  deliver(m: Msg): void;
  post(m: WorkerToHost): void;
  /** A mailbox changed: run the loop soon. */
  wake(): void;
  /** Rings another worker's doorbell. */
  ring(worker: number): void;
  /** A service's last native call ended. */
  settled(service: number): void;
  /** A call that ran callbacks in `service` ended: any of them still waiting there is orphaned. */
  ended(service: number, callId: number): void;
}

interface ActiveCall {
  id: number;
  service: number;
  session: number;
  module: string;
  fn: string;
  since: number;
  box: HomeBox | null;
  carrier: number;
  /** Callbacks it has run in its service. */
  callbacks: number;
  /** What the call is doing, for introspection. */
  note: string;
  /** The calls whose callbacks made this one, innermost first. */
  ancestors: number[];
  /** Fails the call when it runs too long. */
  timer: ReturnType<typeof setTimeout> | null;
}

interface KnownCarrier {
  slot: number;
  mailbox: SharedArrayBuffer;
  /** The slot's generation when announced: a claim checks it. */
  gen: number;
}

/** The first of `known` whose slot is idle, claimed for call `id` (a loop: no closure per poll). */
function claimIdle(slots: CarrierSlots, known: KnownCarrier[], id: number): KnownCarrier | undefined {
  for (let i = 0; i < known.length; i++) {
    const k = known[i]!;
    if (slots.claim(k.slot, id, k.gen)) return k;
  }
  return undefined;
}

export class NativeHome {
  private calls = new Map<number, ActiveCall>();
  private bound: ActiveCall[] = [];
  /** Calls in flight by service address. */
  private perService = new Map<number, number>();
  private counter = 0;
  /** Carriers that can be claimed, by module index (announced by the host). */
  private carriers = new Map<number, KnownCarrier[]>();

  constructor(private readonly port: NativePort) {}

  /** The host announced a ready carrier (or one that is gone: mailbox null). */
  carrier(slot: number, module: number, mailbox: SharedArrayBuffer | null, gen: number): void {
    const list = (this.carriers.get(module) ?? []).filter((c) => c.slot !== slot);
    if (mailbox) list.push({ slot, mailbox, gen });
    this.carriers.set(module, list);
  }

  /** A service's NATIVE_CALL or CALLBACK_RETURN/ERROR message. */
  send(m: Msg): Receipt {
    if (m.type === MessageType.NATIVE_CALL) this.start(m);
    else this.callbackReturn(m.dest, m.session, m.type === MessageType.CALLBACK_RETURN, m.payload);
    return Receipt.DONE;
  }

  /** Native calls in flight for a service. */
  active(service: number): number {
    return this.perService.get(service) ?? 0;
  }

  /**
   * Starts a native call; its result arrives as a RESPONSE or ERROR to the
   * caller's session. An idle carrier is claimed here and given the call
   * through its mailbox (the payload as the service encoded it: the carrier
   * decodes it once); otherwise the host queues the call.
   */
  private start(m: Msg): void {
    const payload = m.payload!;
    const [parent, module, fn] = peek(payload, 3) as [number, string, string];
    // 24 bits of counter under the worker's 6, never 0 (0 means "no call" in the carrier table).
    this.counter = (this.counter % 0xffffff) + 1;
    const id = ((this.port.id & 0x3f) << 24) | this.counter;
    const ancestors = parent ? [parent, ...(this.calls.get(parent)?.ancestors ?? [])] : [];
    const c: ActiveCall = { id, service: m.source, session: m.session, module, fn, since: Date.now(), box: null, carrier: -1, callbacks: 0, note: 'waiting for a carrier', ancestors, timer: null };
    this.calls.set(id, c);
    this.perService.set(c.service, this.active(c.service) + 1);
    const index = this.port.modules.indexOf(module);
    const slots = this.port.slots;
    const known = this.carriers.get(index) ?? [];
    if (slots && index >= 0 && known.length > 0) {
      // A carrier that has just answered frees its slot a moment after its last
      // packet: look again for up to 50 us before going through the host.
      let claimed: KnownCarrier | undefined;
      pollFor(0.05, () => slots.waiting(index) !== 0 || (claimed = claimIdle(slots, known, id)) !== undefined, 8);
      if (claimed) {
        this.bind(id, claimed.mailbox, claimed.slot);
        c.box!.send(Packet.CALL, this.port.id, id, payload);
        return;
      }
    }
    const request: NativeRequest = { callId: id, module, fn, payload, service: c.service, worker: this.port.id, ancestors };
    this.port.post({ type: 'native-call', request });
  }

  /** The host gave the call a carrier. */
  bind(callId: number, mailbox: SharedArrayBuffer, carrier: number): void {
    const c = this.calls.get(callId);
    if (!c) return;
    c.box = new HomeBox(mailbox);
    c.carrier = carrier;
    c.note = 'running in the library';
    // The limit counts from here: a call waiting for its carrier to start (a
    // module import, slow on a busy machine) or for a busy one is not running.
    const limit = this.port.callTimeoutMs;
    if (limit > 0 && !c.timer) c.timer = setTimeout(() => this.expire(c, limit), limit);
    this.bound.push(c);
    this.port.wake();
  }

  /** The host could not run the call (unknown module, crashed carrier...). */
  fail(callId: number, error: string): void {
    const c = this.calls.get(callId);
    if (c) this.finish(c, MessageType.ERROR, encode([error]));
  }

  /** Reads every bound mailbox; called from the scheduler's loop. */
  poll(): void {
    for (let i = 0; i < this.bound.length; i++) {
      const c = this.bound[i]!;
      for (let r = c.box!.poll(c.id); r; r = c.box ? c.box.poll(c.id) : null) this.received(c, r);
    }
  }

  /** True when a mailbox has something to read (the worker must not sleep). */
  pending(): boolean {
    for (const c of this.bound) if (c.box && c.box.ready()) return true;
    return false;
  }

  private received(c: ActiveCall, r: Received): void {
    switch (r.kind) {
      case Packet.CALLBACK:
        c.callbacks++;
        c.note = `callback #${r.seq} running`;
        this.port.deliver({ type: MessageType.CALLBACK, source: c.id, dest: c.service, session: r.seq, payload: r.bytes });
        break;
      case Packet.RESULT:
        this.emptied(c);
        this.finish(c, MessageType.RESPONSE, r.bytes);
        break;
      case Packet.FAIL:
        this.emptied(c);
        this.finish(c, MessageType.ERROR, r.bytes);
        break;
    }
  }

  /**
   * The call's last packet is taken: its carrier, back in its loop since it
   * sent it, may already be claimed by a call whose home waits for the box to
   * empty. A home here polls it anyway; another is rung.
   */
  private emptied(c: ActiveCall): void {
    const next = this.port.slots.call(c.carrier);
    if (next !== 0 && next !== c.id && callWorker(next) !== this.port.id) this.port.ring(callWorker(next));
  }

  /** A callback finished in the service: hand its results to the carrier. */
  private callbackReturn(callId: number, seq: number, ok: boolean, payload: Uint8Array | null): void {
    const c = this.calls.get(callId);
    if (!c || !c.box) return; // the call ended (timed out, aborted): drop the late answer
    c.note = 'running in the library';
    c.box.send(ok ? Packet.RETURN : Packet.RAISE, seq, callId, payload ?? encode([]));
  }

  private finish(c: ActiveCall, type: number, payload: Uint8Array): void {
    this.forget(c);
    this.port.deliver({ type, source: c.service, dest: c.service, session: c.session, payload });
  }

  /** The call ran too long: it fails at its call site; the host terminates its carrier (it may never return). */
  private expire(c: ActiveCall, limit: number): void {
    if (!this.calls.has(c.id)) return;
    this.forget(c);
    this.port.post({ type: 'native-abort', callId: c.id });
    const text = `[ltask] native ${c.module}.${c.fn} ran longer than ${limit} ms (nativeCallTimeoutMs): the call is abandoned and its carrier replaced`;
    this.port.deliver({ type: MessageType.ERROR, source: c.service, dest: c.service, session: c.session, payload: encode([text]) });
  }

  private forget(c: ActiveCall): void {
    if (c.timer) clearTimeout(c.timer);
    this.calls.delete(c.id);
    const i = this.bound.indexOf(c);
    if (i >= 0) this.bound.splice(i, 1);
    c.box?.clear();
    c.box = null;
    if (c.callbacks > 0) this.port.ended(c.service, c.id);
    const left = this.active(c.service) - 1;
    if (left > 0) this.perService.set(c.service, left);
    else {
      this.perService.delete(c.service);
      this.port.settled(c.service);
    }
  }

  /** A service ended: its calls are abandoned and their carriers released. */
  serviceClosed(service: number): void {
    if (!this.perService.has(service)) return;
    for (const c of [...this.calls.values()]) {
      if (c.service !== service) continue;
      this.forget(c);
      this.port.post({ type: 'native-abort', callId: c.id });
    }
  }

  /**
   * What each suspended service waits on, for `runtime.inspect()`. `noteOf`
   * gives what a running callback of the call told its service it waits on.
   */
  details(noteOf: (service: number, callId: number) => string | undefined): Record<number, string> {
    const out: Record<number, string> = {};
    const now = Date.now();
    for (const c of this.calls.values()) {
      const note = noteOf(c.service, c.id) ?? c.note;
      const line = `native ${c.module}.${c.fn} on carrier ${c.carrier < 0 ? '(none yet)' : c.carrier} for ${((now - c.since) / 1000).toFixed(1)} s: ${note}`;
      out[c.service] = out[c.service] ? `${out[c.service]}; ${line}` : line;
    }
    return out;
  }
}
