/**
 * The host's end of the message flow. The host's calls go out through its
 * session client; `route` moves each raw message to the worker of its
 * destination (through the outbox), after the checks a worker makes itself
 * (a dead destination, a full queue). What arrives for the host is a log
 * line, a request (the host answers none) or the answer to one of its calls.
 */
import { decode, encode } from '../wire/codec/js.ts';
import { Sessions } from '../wire/session.ts';
import { Address, MessageType, Receipt, ServiceState } from '../wire/protocol.ts';
import type { ServiceTable } from '../wire/table.ts';
import { frame, unframe, type Msg } from '../wire/transport/index.ts';
import type { LogEntry } from '../api/runtime.ts';

/** Where routed messages go: the workers' outbox. */
export interface OutboxPort {
  /** Puts a framed message on its way to worker `w`. */
  queue(w: number, framed: Uint8Array): void;
}

/** What {@link Router} is made of. */
export interface RouterOptions {
  readonly table: ServiceTable;
  /** Requests a service may have queued before senders get "busy". */
  readonly queueLimit: number;
  readonly maxMessageBytes: number;
  readonly outbox: OutboxPort;
  /** Receives the services' log lines. */
  readonly log: (e: LogEntry) => void;
}

/** Routes the host's messages out and takes those that arrive for it. */
export class Router {
  /** The host's calls: sessions from Address.HOST, and the answers they wait for. */
  readonly sessions: Sessions;
  private readonly table: ServiceTable;
  private readonly queueLimit: number;
  private readonly outbox: OutboxPort;
  private readonly log: (e: LogEntry) => void;

  constructor(o: RouterOptions) {
    this.table = o.table;
    this.queueLimit = o.queueLimit;
    this.outbox = o.outbox;
    this.log = o.log;
    this.sessions = new Sessions(Address.HOST, (m) => this.route(m), () => o.maxMessageBytes);
  }

  /** Moves a message toward its destination's worker; says why not when it cannot. */
  route(m: Msg): Receipt {
    const t = this.table;
    const st = t.state(m.dest);
    if (st === ServiceState.UNUSED || st === ServiceState.DEAD) return Receipt.DEAD;
    if (m.type === MessageType.REQUEST && !t.enqueue(m.dest, this.queueLimit)) return Receipt.BUSY;
    this.outbox.queue(t.worker(m.dest), frame(m));
    return Receipt.DONE;
  }

  /** A batch of framed messages a worker posted to the host. */
  arrived(batch: Uint8Array[]): void {
    for (const b of batch) this.take(unframe(b));
  }

  private take(m: Msg): void {
    if (m.type === MessageType.LOG) {
      const [level, label, text, time] = decode(m.payload) as ['info' | 'error', string, string, number];
      this.log({ level, source: m.source, label, text, time });
      return;
    }
    if (m.type === MessageType.REQUEST && m.session !== 0) {
      this.route({ type: MessageType.ERROR, source: Address.HOST, dest: m.source, session: m.session, payload: encode(['[ltask] the host answers no requests']) });
      return;
    }
    this.sessions.settle(m);
  }
}
