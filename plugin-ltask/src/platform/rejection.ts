/**
 * Promise rejections that nothing handled, inside a worker: the reason as
 * text, and a carrier's line for them (a scheduler worker's is in
 * entries/scheduler-worker.ts).
 */
/** A rejection's reason as text: an Error's stack, with its message (Firefox and WebKit leave it out of the stack). */
export function reasonText(reason: unknown): string {
  if (reason instanceof Error) {
    const head = `${reason.name}: ${reason.message}`;
    if (!reason.stack) return head;
    return reason.stack.includes(reason.message) ? reason.stack : `${head}\n${reason.stack}`;
  }
  if (typeof reason !== 'object' || reason === null) return String(reason);
  const plain = Object.prototype.toString.call(reason);
  try {
    return JSON.stringify(reason) ?? plain;
  } catch {
    return plain;
  }
}

/**
 * A carrier's line for a native module's forgotten promise (the carrier goes
 * on, with the module's state, as a scheduler worker and its services do).
 */
export const carrierRejection = (module: string, reason: unknown): string =>
  `[ltask] carrier of native module ${module || '(loading)'}: an unhandled promise rejection, logged; the carrier goes on ` +
  `(a promise with no catch in a native module's function): ${reasonText(reason)}`;
