/**
 * Promise rejections that nothing handled, inside a worker: the reason as
 * text, and a carrier's report of them (a scheduler worker's is in
 * entries/scheduler-worker.ts).
 */
import { platform } from '#platform';

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
 * In a carrier: a native module's forgotten promise is printed with its
 * reason (a carrier has no way to the runtime's log), and the carrier goes
 * on, with the module's state, as a scheduler worker and its services do; in
 * Node the thread would otherwise end, in a browser only its console hear.
 */
export function reportCarrierRejections(): void {
  platform.onUnhandledRejection((reason) =>
    console.error(
      "[ltask] a native module's carrier: an unhandled promise rejection, printed; the carrier goes on " +
        `(a promise with no catch in a native module's function): ${reasonText(reason)}`,
    ),
  );
}
