/**
 * A carrier worker: runs one native module's functions, one call at a time.
 * Callbacks into the calling service block this thread in `Atomics.wait`
 * while the service's home worker runs them; nothing else runs here meanwhile,
 * so the library is never re-entered while it waits.
 */
import { platform } from '#platform';
import { decode, encode } from '../codec/js.ts';
import { ServiceTable } from '../table.ts';
import type { CarrierToHost, HostToCarrier } from './protocol.ts';
import { CarrierBox, Packet } from './mailbox.ts';
import type { NativeModule } from './types.ts';

const host = platform.parentEndpoint();
let mod: NativeModule | null = null;
let setupDone: Promise<void> | null = null;
let box: CarrierBox;
let table: ServiceTable;
let timeoutMs = 0;
let maxBytes = 0;

const post = (m: CarrierToHost) => host.postMessage(m);

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function init(m: Extract<HostToCarrier, { type: 'init' }>): Promise<void> {
  table = new ServiceTable(m.table);
  timeoutMs = m.callbackTimeoutMs;
  maxBytes = m.maxMessageBytes;
  const loaded = (await import(/* @vite-ignore */ m.url)) as { default?: NativeModule };
  const def = loaded.default;
  if (!def || typeof def !== 'object' || typeof def.functions !== 'object') {
    throw new Error(`[ltask] ${m.url} does not export a native module (default export { name, functions })`);
  }
  if (def.name !== m.name) throw new Error(`[ltask] ${m.url} is native module "${def.name}", not "${m.name}"`);
  mod = def;
  const inst = def.instances ?? { max: 2 };
  post({ type: 'ready', name: def.name, max: inst === 'single' ? 1 : Math.max(1, Math.floor(inst.max)), functions: Object.keys(def.functions) });
}

async function call(m: Extract<HostToCarrier, { type: 'call' }>): Promise<void> {
  box = new CarrierBox(m.mailbox, () => table.ring(m.home));
  let seq = 0;
  let poisoned: string | null = null;
  const callbackFor = (id: number) =>
    function ltaskCallback(...args: unknown[]): unknown {
      if (poisoned) throw new Error(poisoned);
      const mySeq = ++seq;
      const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
      const payload = encode([id, ...args], maxBytes);
      const fail = () => {
        poisoned = `[ltask] callback timed out after ${timeoutMs} ms (native ${m.module}.${m.fn}); the call is abandoned`;
        return new Error(poisoned);
      };
      if (!box.send(Packet.CALLBACK, mySeq, m.callId, payload, deadline)) throw fail();
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
    const f = mod!.functions[m.fn];
    if (typeof f !== 'function') throw new Error(`[ltask] native module ${m.module} has no function "${m.fn}"`);
    const args = decode(m.args, callbackFor);
    const result = await f.apply(mod!.functions, args);
    out = encode([result], maxBytes);
  } catch (e) {
    kind = Packet.FAIL;
    out = encode([errorMessage(e)]);
  }
  // The final packet has no answer. Free only once home has taken it; if home
  // is gone (its service ended) the host terminates this carrier instead.
  box.send(kind, ++seq, m.callId, out, Infinity);
  box.drained();
  post({ type: 'idle', callId: m.callId });
}

let chain: Promise<void> = Promise.resolve();
host.listen((data) => {
  const m = data as HostToCarrier;
  chain = chain
    .then(() => (m.type === 'init' ? init(m) : call(m)))
    .catch((e: unknown) => post({ type: 'fatal', error: e instanceof Error ? e.stack ?? e.message : String(e) }));
});
