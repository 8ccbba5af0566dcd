/**
 * The home side of native calls: the worker where the calling service lives.
 *
 * It asks the host for a carrier, polls the carriers' mailboxes when its
 * doorbell rings, turns callback requests into CALLBACK messages in the
 * service's queue (so the service's VM still runs one message at a time, here
 * only), writes the callbacks' results back, and ends the call when the
 * carrier's final packet arrives.
 */
import { encode } from '../codec/js.ts';
import { HomeBox, Packet, type Received } from '../native/mailbox.ts';
import type { CarrierSlots } from '../native/slots.ts';
import { MessageType, ServiceState } from '../protocol.ts';
import type { Scheduler } from './scheduler.ts';
import type { HostedService } from './service.ts';

interface ActiveCall {
  id: number;
  service: HostedService;
  session: number;
  module: string;
  fn: string;
  since: number;
  box: HomeBox | null;
  carrier: number;
  /** What the running callback waits on, for introspection. */
  note: string;
  /** Callback ids to release when the call ends. */
  release: () => void;
  /** The calls whose callbacks made this one, innermost first. */
  ancestors: number[];
}

interface KnownCarrier {
  slot: number;
  mailbox: SharedArrayBuffer;
}

export class NativeHome {
  private calls = new Map<number, ActiveCall>();
  private bound: ActiveCall[] = [];
  private counter = 0;
  private slots: CarrierSlots | null = null;
  /** Carriers that can be claimed, by module index (announced by the host). */
  private carriers = new Map<number, KnownCarrier[]>();

  constructor(private readonly sched: Scheduler) {}

  attach(slots: CarrierSlots): void {
    this.slots = slots;
  }

  /** The host announced a ready carrier (or one that is gone: mailbox null). */
  carrier(slot: number, module: number, mailbox: SharedArrayBuffer | null): void {
    const list = (this.carriers.get(module) ?? []).filter((c) => c.slot !== slot);
    if (mailbox) list.push({ slot, mailbox });
    this.carriers.set(module, list);
  }

  /**
   * Starts a native call for `service`; its result arrives as a RESPONSE or
   * ERROR to `session`. Returns the call id. An idle carrier is claimed here
   * and given the call through its mailbox; otherwise the host queues the call.
   */
  start(service: HostedService, session: number, module: string, fn: string, args: Uint8Array, parent: number, release: () => void): number {
    const id = ((this.sched.id & 0x3f) << 24) | (++this.counter & 0xffffff);
    const ancestors = parent ? [parent, ...(this.calls.get(parent)?.ancestors ?? [])] : [];
    const c: ActiveCall = { id, service, session, module, fn, since: Date.now(), box: null, carrier: -1, note: 'waiting for a carrier', release, ancestors };
    this.calls.set(id, c);
    service.nativeCalls++;
    const index = this.sched.config.nativeModules.indexOf(module);
    const slots = this.slots;
    if (slots && index >= 0 && slots.waiting(index) === 0) {
      for (const k of this.carriers.get(index) ?? []) {
        if (!slots.claim(k.slot, id)) continue;
        this.bind(id, k.mailbox, k.slot);
        c.box!.send(Packet.CALL, this.sched.id, id, encode([fn, args], Infinity));
        return id;
      }
    }
    this.sched.post({ type: 'native-call', request: { callId: id, module, fn, args, service: service.address, worker: this.sched.id, ancestors } });
    return id;
  }

  /** The host gave the call a carrier. */
  bind(callId: number, mailbox: SharedArrayBuffer, carrier: number): void {
    const c = this.calls.get(callId);
    if (!c) return;
    c.box = new HomeBox(mailbox);
    c.carrier = carrier;
    c.note = 'running in the library';
    this.bound.push(c);
    this.sched.wake();
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
        c.note = `callback #${r.seq} running`;
        this.sched.deliver({ type: MessageType.CALLBACK, source: c.id, dest: c.service.address, session: r.seq, payload: r.bytes });
        break;
      case Packet.RESULT:
        this.finish(c, MessageType.RESPONSE, r.bytes);
        break;
      case Packet.FAIL:
        this.finish(c, MessageType.ERROR, r.bytes);
        break;
    }
  }

  /** A callback finished in the service: hand its results to the carrier. */
  callbackReturn(callId: number, seq: number, ok: boolean, payload: Uint8Array): void {
    const c = this.calls.get(callId);
    if (!c || !c.box) return; // the call ended (timed out, aborted): drop the late answer
    c.note = 'running in the library';
    c.box.send(ok ? Packet.RETURN : Packet.RAISE, seq, callId, payload);
  }

  /** Introspection: what a callback of this call waits on. */
  note(callId: number, text: string): void {
    const c = this.calls.get(callId);
    if (c) c.note = text;
  }

  private finish(c: ActiveCall, type: number, payload: Uint8Array): void {
    this.forget(c);
    this.sched.deliver({ type, source: c.service.address, dest: c.service.address, session: c.session, payload });
  }

  private forget(c: ActiveCall): void {
    this.calls.delete(c.id);
    const i = this.bound.indexOf(c);
    if (i >= 0) this.bound.splice(i, 1);
    c.box?.clear();
    c.box = null;
    c.release();
    const s = c.service;
    s.nativeCalls--;
    if (s.nativeCalls === 0 && !s.closed && this.sched.table.state(s.address) === ServiceState.SUSPENDED) {
      this.sched.table.setState(s.address, s.scheduled ? ServiceState.READY : ServiceState.IDLE);
    }
  }

  /** A service ended: its calls are abandoned and their carriers released. */
  serviceClosed(s: HostedService): void {
    for (const c of [...this.calls.values()]) {
      if (c.service !== s) continue;
      this.forget(c);
      this.sched.post({ type: 'native-abort', callId: c.id });
    }
  }

  /** Details of suspended services, for `runtime.inspect()`. */
  details(): Record<number, string> {
    const out: Record<number, string> = {};
    const now = Date.now();
    for (const c of this.calls.values()) {
      const line = `native ${c.module}.${c.fn} on carrier ${c.carrier < 0 ? '(none yet)' : c.carrier} for ${((now - c.since) / 1000).toFixed(1)} s: ${c.note}`;
      out[c.service.address] = out[c.service.address] ? `${out[c.service.address]}; ${line}` : line;
    }
    return out;
  }
}
