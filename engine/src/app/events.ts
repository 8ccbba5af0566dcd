/**
 * Double-buffered events read through cursors (bevy `Events<T>`,
 * `EventCursor`). An event sent in frame N can be read in frames N and N+1 by
 * every reader, each reader seeing it once; after two buffer swaps it is gone.
 */

/** A typed token naming an event type. */
export interface EventKey<T> {
  readonly name: string;
  readonly kind: 'event';
  /** Only carries the type; never set. */
  readonly __type?: T;
}

/**
 * Defines an event type.
 * @example
 * ```ts
 * const Scored = defineEvent<{ points: number }>('Scored');
 * app.addEvent(Scored);
 * // in a system: ctx.send(Scored, { points: 10 }); for (const e of ctx.read(Scored)) ...
 * ```
 */
export function defineEvent<T>(name: string): EventKey<T> {
  return Object.freeze({ name, kind: 'event' as const });
}

interface Stamped<T> {
  readonly id: number;
  readonly value: T;
}

/** Storage for one event type: two buffers swapped once per frame by `update()`. */
export class Events<T> {
  private previous: Stamped<T>[] = [];
  private current: Stamped<T>[] = [];
  private count = 0;

  /** Number of events ever sent; ids run from 0 to `sent - 1`. */
  get sent(): number {
    return this.count;
  }

  /** Id of the oldest event still stored. */
  get oldestId(): number {
    return this.previous[0]?.id ?? this.current[0]?.id ?? this.count;
  }

  /** Number of events currently stored (both buffers). */
  get length(): number {
    return this.previous.length + this.current.length;
  }

  /** Sends one event. */
  send(value: T): void {
    this.current.push({ id: this.count++, value });
  }

  /** Drops the older buffer and starts a new one (once per frame, in `First`). */
  update(): void {
    this.previous = this.current;
    this.current = [];
  }

  /** Events with `id >= from`, oldest first. */
  since(from: number): T[] {
    const out: T[] = [];
    for (const buffer of [this.previous, this.current]) {
      for (const e of buffer) if (e.id >= from) out.push(e.value);
    }
    return out;
  }

  /** Removes all stored events. */
  clear(): void {
    this.previous = [];
    this.current = [];
  }
}

/** A reader's position in an event stream: each event is returned once. */
export class EventCursor<T> {
  private next = 0;

  /** Events this cursor has not returned yet, oldest first. */
  read(events: Events<T>): T[] {
    const out = events.since(this.next);
    this.next = events.sent;
    return out;
  }

  /** How many events are waiting for this cursor. */
  pending(events: Events<T>): number {
    return events.sent - Math.max(this.next, events.oldestId);
  }
}
