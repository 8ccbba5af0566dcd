/**
 * The client side of sessions, shared by the host runtime and TypeScript
 * services: session ids, the answers still awaited, and one rule for errors.
 * Every failure of a call rejects its promise (a value that cannot be encoded,
 * a dead or busy destination, an ERROR answer), never throws at the caller.
 */
import { decode, encode } from './codec/js.ts';
import { ServiceError, remoteText } from './errors.ts';
import { MessageType, Receipt } from './protocol.ts';
import type { Msg } from './transport/frame.ts';

interface Pending {
  resolve(values: unknown[]): void;
  reject(e: Error): void;
  /** Where the call went (0: a native call, the host). */
  dest: number;
}

/** The error for a message that was not posted. */
export const receiptError = (dest: number, r: Receipt): ServiceError => new ServiceError(`{service:${dest}} is ${r === Receipt.DEAD ? 'dead' : 'busy'}`);

export class Sessions {
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  constructor(
    private readonly self: number,
    private readonly transmit: (m: Msg) => Receipt,
    private readonly maxBytes: () => number,
  ) {}

  /** A fresh session id (positive int32, wraps around). */
  open(): number {
    const s = this.next++;
    if (this.next > 0x7fffffff) this.next = 1;
    return s;
  }

  /** Waits for the answer to `session` (already sent, or about to be). */
  wait(session: number, dest = 0): Promise<unknown[]> {
    return new Promise((resolve, reject) => this.pending.set(session, { resolve, reject, dest }));
  }

  /** Sends `values` as a message of `type` and resolves to the answer's values. */
  call(dest: number, type: number, values: unknown[]): Promise<unknown[]> {
    let payload: Uint8Array;
    try {
      payload = encode(values, this.maxBytes());
    } catch (e) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the codec's own exception (a CodecError, or what a value's getter threw), passed on as thrown
      return Promise.reject(e);
    }
    return this.callEncoded(dest, type, payload);
  }

  callEncoded(dest: number, type: number, payload: Uint8Array | null): Promise<unknown[]> {
    const session = this.open();
    const r = this.transmit({ type, source: this.self, dest, session, payload });
    if (r !== Receipt.DONE) return Promise.reject(receiptError(dest, r));
    return this.wait(session, dest);
  }

  /** A one-way request: true when sent, false when `dest` is dead; throws when it is busy or `values` cannot be encoded. */
  send(dest: number, values: unknown[]): boolean {
    const r = this.transmit({ type: MessageType.REQUEST, source: this.self, dest, session: 0, payload: encode(values, this.maxBytes()) });
    if (r === Receipt.BUSY) throw receiptError(dest, r);
    return r === Receipt.DONE;
  }

  /** Settles the session a RESPONSE or ERROR answers. False when nobody waits for it. */
  settle(m: Msg): boolean {
    const p = this.pending.get(m.session);
    if (!p) return false;
    this.pending.delete(m.session);
    let values: unknown[];
    try {
      values = decode(m.payload);
    } catch (e) {
      p.reject(e as Error);
      return true;
    }
    if (m.type === MessageType.RESPONSE) p.resolve(values);
    else p.reject(new ServiceError(remoteText(values[0]), values[1]));
    return true;
  }

  /** Rejects the calls waiting on a service in `dead` (it ended without answering). */
  failTo(dead: ReadonlySet<number>, text: (addr: number) => string): void {
    for (const [session, p] of this.pending) {
      if (!dead.has(p.dest)) continue;
      this.pending.delete(session);
      p.reject(new ServiceError(text(p.dest)));
    }
  }

  /** Rejects every waiting call. */
  failAll(error: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(error);
  }
}
