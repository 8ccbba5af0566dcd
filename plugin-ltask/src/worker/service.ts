/** What a scheduler worker knows of one service it hosts. */
import type { Msg } from '../wire/transport/index.ts';
import { Fifo } from '../wire/queue.ts';
import type { ServiceWorld } from './world.ts';

/** A hosted service: Lua or TypeScript. The scheduler feeds it one message at a time. */
export abstract class HostedService {
  readonly queue = new Fifo<Msg>();
  /** In the ready list (or running). */
  scheduled = false;
  /** Created but not started (source loading): messages wait. */
  starting = true;
  closed = false;
  /** Its side of the world, from its first world call (null: it never used the world). */
  world: ServiceWorld | null = null;
  /** What the running callbacks of native calls wait on, by call id (introspection). */
  readonly notes = new Map<number, string>();

  constructor(
    readonly address: number,
    readonly label: string,
  ) {}

  /** Runs one message. Returns true when the service has ended. */
  abstract handle(msg: Msg): boolean;

  /** Services in `dead` ended without answering (their worker died): calls waiting on them fail with `text`. */
  abstract peersDied(dead: ReadonlySet<number>, text: (addr: number) => string): void;

  /** A native call's carrier is done with its callbacks: one still waiting here will never be answered to, and the call's note goes. */
  callEnded(callId: number): void {
    this.notes.delete(callId);
  }

  /** Frees what the service holds; pending work gets errors. */
  abstract dispose(reason: string): void;
}
