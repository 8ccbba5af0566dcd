/** Errors that cross services. */

/**
 * An error raised by another service (or by the runtime on its behalf). The
 * message carries the remote error and its traceback.
 */
export class ServiceError extends Error {
  override name = 'ServiceError';
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
  return String(e) + where;
}

/** Error text from an ERROR payload's first value. */
export function remoteText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}
