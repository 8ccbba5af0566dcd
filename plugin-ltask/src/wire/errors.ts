/** Errors that cross services. */
import { encode } from './codec/js.ts';

/**
 * An error raised by another service (or by the runtime on its behalf). The
 * message carries the remote error and its traceback.
 */
export class ServiceError extends Error {
  override name = 'ServiceError';
  /**
   * The error object the remote handler raised, when it was not a string and
   * could cross (a Lua table arrives as an object with the same fields).
   */
  readonly value?: unknown;
  constructor(message: string, value?: unknown) {
    super(message);
    if (value !== undefined) this.value = value;
  }
}

/** Formats a JS error for the wire: message, stack, and where it happened. */
export function errorText(e: unknown, address: number, label: string): string {
  const where = `\n\t(service ${address} ${label})`;
  // A remote error already carries its traceback: pass it on without a JS stack.
  if (e instanceof ServiceError) return e.message + where;
  if (e instanceof Error) {
    const stack = e.stack && e.stack.includes(e.message) ? e.stack : `${e.message}\n${e.stack ?? ''}`;
    return stack + where;
  }
  if (typeof e === 'object' && e !== null) {
    try {
      return `${JSON.stringify(e)}${where}`;
    } catch {
      // a cycle or a BigInt: fall through to String
    }
  }
  return String(e) + where;
}

/**
 * The value an error carries to the caller besides its text: a remote error's
 * value passed on, or a thrown object that is not an Error (`throw { code: 42 }`).
 */
export function errorValue(e: unknown): unknown {
  if (e instanceof ServiceError) return e.value;
  if (e instanceof Error || typeof e === 'string') return undefined;
  return e ?? undefined;
}

/** An ERROR payload: `[text]`, or `[text, value]` when the value can cross. */
export function errorPayload(text: string, value: unknown): Uint8Array {
  if (value !== undefined) {
    try {
      return encode([text, value]);
    } catch (e) {
      return encode([`${text}\n\t(the error object cannot cross services: ${(e as Error).message})`]);
    }
  }
  return encode([text]);
}

/** Error text from an ERROR payload's first value. */
export function remoteText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}
