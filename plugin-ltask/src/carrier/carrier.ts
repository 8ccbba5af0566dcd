/**
 * A carrier: runs one native module's functions, one call at a time.
 * Callbacks into the calling service block this thread in `Atomics.wait`
 * while the service's home worker runs them; nothing else runs here meanwhile,
 * so the library is never re-entered while it waits.
 *
 * Calls arrive two ways: written into the mailbox by a home worker that
 * claimed this carrier in the carrier table (the common case), or posted by the
 * host for calls that had to wait for a carrier.
 */
import { platform } from '#platform';
import { decode, encode } from '../wire/codec/js.ts';
import { ServiceTable } from '../wire/table.ts';
import type { CarrierToHost, HostToCarrier } from '../wire/native.ts';
import { CarrierBox, Nap, Packet } from '../wire/mailbox.ts';
import { pollFor } from '../wire/transport/spin.ts';
import { CarrierSlots } from '../wire/slots.ts';
import type { NativeModule } from '../api/native.ts';
import { turn } from '../wire/transport/wait.ts';
import { carrierRejection } from '../platform/rejection.ts';

let host: ReturnType<typeof platform.parentEndpoint>;
/** Set when the module is bundled into this carrier's script. */
let bundled: NativeModule | null = null;
let mod: NativeModule | null = null;
let setupDone: Promise<void> | null = null;
let box: CarrierBox;
let slots: CarrierSlots;
let table: ServiceTable;
let slot = 0;
let name = '';
let timeoutMs = 0;
let maxBytes = 0;

const post = (m: CarrierToHost) => host.postMessage(m);

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

interface Call {
  callId: number;
  /** `[parent, module, fn, ...args]`, decoded once, here. */
  payload: Uint8Array;
  home: number;
}

async function init(m: Extract<HostToCarrier, { type: 'init' }>): Promise<void> {
  table = new ServiceTable(m.table);
  box = new CarrierBox(m.mailbox, (w) => table.ring(w));
  slots = new CarrierSlots(m.slots);
  slot = m.slot;
  name = m.name;
  timeoutMs = m.callbackTimeoutMs;
  maxBytes = m.maxMessageBytes;
  const where = bundled ? `the bundled native module for "${m.name}"` : m.url;
  const def = bundled ?? ((await platform.importModule(m.url)) as { default?: NativeModule }).default;
  if (!def || typeof def !== 'object' || typeof def.functions !== 'object') {
    throw new Error(`[ltask] ${where} does not export a native module (default export { name, functions })`);
  }
  if (def.name !== m.name) {
    throw new Error(`[ltask] ${where} is native module "${def.name}", registered as "${m.name}": use the same name in \`natives\``);
  }
  mod = def;
  const inst = def.instances ?? { max: 2 };
  post({ type: 'ready', name: def.name, max: inst === 'single' ? 1 : Math.max(1, Math.floor(inst.max)), functions: Object.keys(def.functions) });
  // A carrier whose mailbox loop failed serves nothing more: the host replaces it (not a forgotten promise).
  serveMailbox().catch(fatal);
}

async function call(c: Call): Promise<void> {
  box.home = c.home;
  let seq = 0;
  let fn = '?';
  let poisoned: string | null = null;
  const callbackFor = (id: number) =>
    function ltaskCallback(...args: unknown[]): unknown {
      if (poisoned) throw new Error(poisoned);
      const mySeq = ++seq;
      const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
      const payload = encode([id, ...args], maxBytes);
      const fail = () => {
        poisoned = `[ltask] callback timed out after ${timeoutMs} ms (native ${name}.${fn}); the call is abandoned`;
        return new Error(poisoned);
      };
      if (!box.send(Packet.CALLBACK, mySeq, c.callId, payload, deadline)) throw fail();
      const r = box.receive(mySeq, deadline);
      if (!r) throw fail();
      const values = decode(r.bytes);
      if (r.kind === Packet.RAISE) throw new Error(String(values[0]));
      return values[0];
    };
  let kind: number = Packet.RESULT;
  let out: Uint8Array;
  try {
    await (setupDone ??= Promise.resolve(mod!.setup?.()));
    const values = decode(c.payload, callbackFor);
    fn = String(values[2]);
    const f = mod!.functions[fn];
    if (typeof f !== 'function') throw new Error(`[ltask] native module ${name} has no function "${fn}"`);
    const result = await f.apply(mod!.functions, values.slice(3));
    out = encode([result], maxBytes);
  } catch (e) {
    kind = Packet.FAIL;
    out = encode([errorMessage(e)]);
  }
  // The final packet has no answer. The slot is free at once: a home that claims
  // it now writes its call as soon as the box is empty (it never takes another
  // call's packet), rung by the home that empties it (see NativeHome). The
  // carrier goes back to its loop without waiting for that: a wake-up when
  // the box empties cost it and the home (the notify) on every call. If home
  // is gone (its service ended) the host terminates us.
  box.send(kind, ++seq, c.callId, out, Infinity);
  slots.release(slot);
  // The host hears of a free carrier only when calls wait for one there: a
  // message per call cost this thread and the host's a wake-up each. Its call
  // comes by message and must find the box empty.
  if (slots.waiting(slots.module(slot)) > 0) {
    box.drained();
    post({ type: 'idle', callId: c.callId });
  }
}

/** Calls run one at a time, whichever way they came. */
let chain: Promise<void> = Promise.resolve();
const fatal = (e: unknown) => post({ type: 'fatal', error: e instanceof Error ? e.stack ?? e.message : String(e) });
const run = (f: () => Promise<void>) => (chain = chain.then(f).catch(fatal));

const hasCall = () => box.hasCall();

/** A carrier sleeps in the kernel in slices of this many ms... */
const SLEEP_SLICE_MS = 2;
/** ...for this long after its last call, then on its event loop. */
const SLEEP_SYNC_MS = 100;

/**
 * Waits for calls written into the mailbox. Between calls close together the
 * carrier sleeps in `Atomics.wait` (a futex wake reaches it in about 20 us; a
 * waitAsync wake waits its turn on the event loop, 30-60 us here), in short
 * slices with an event-loop turn between them (the host pokes the mailbox
 * word after posting to it); after a quiet while it sleeps on the event loop.
 */
async function serveMailbox(): Promise<void> {
  let quietMs = 0;
  for (;;) {
    if (box.hasCall()) {
      quietMs = 0;
      const r = box.takeCall();
      await run(() => call({ callId: r.call, payload: r.bytes, home: r.seq }));
      continue;
    }
    // Calls often follow each other closely: poll briefly before sleeping.
    if (pollFor(0.05, hasCall)) continue;
    // Sleep on the state we saw, but look again after reading it: the call may
    // have landed between the check and the read (then the state never changes).
    const st = Atomics.load(box.i32, 0);
    if (box.hasCall()) continue;
    if (quietMs < SLEEP_SYNC_MS) {
      if (box.nap(Nap.PACKET, st, SLEEP_SLICE_MS) === 'timed-out') quietMs += SLEEP_SLICE_MS;
      await turn();
    } else {
      await box.napAsync(st);
    }
    await chain;
  }
}

/**
 * Runs this thread as a carrier. `module`: the native module bundled into this
 * script (a `?ltask-native` import); without it, the host's `init` names a
 * module URL to import.
 */
export function startCarrier(module?: NativeModule): void {
  bundled = module ?? null;
  host = platform.parentEndpoint();
  // A native module's forgotten promise is logged; the carrier goes on, with the module's state.
  platform.onUnhandledRejection((reason) => post({ type: 'log', text: carrierRejection(name, reason) }));
  host.listen((data) => {
    const m = data as HostToCarrier;
    if (m.type === 'init') void run(() => init(m));
    else void run(() => call(m));
  });
}
