/** The logger and timer system services (TypeScript, named "logger" and "timer"). */
import { encode } from '../codec/js.ts';
import { Address, MessageType } from '../protocol.ts';
import type { ServiceFactory } from '../worker/ts-service.ts';

/** Forwards log lines to the host, in the order they arrive, as the services that wrote them. */
export const logger: ServiceFactory = (ctx) => {
  const sys = ctx.system;
  if (!sys) throw new Error('[ltask] logger runs only as a system service');
  return {
    log(level: string, source: number, label: string, text: string) {
      sys.send({ type: MessageType.LOG, source, dest: Address.HOST, session: 0, payload: encode([level === 'error' ? 'error' : 'info', label, text, Date.now()]) });
    },
  };
};

/**
 * Time for services that ask for it by message. Unlike ltask's timer service it
 * never blocks a worker: every wait is a host timer on this worker's event loop.
 */
export const timer: ServiceFactory = () => {
  const start = Date.now();
  return {
    /** Answers after `cs` centiseconds. */
    sleep: (cs: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, cs) * 10)),
    /** Centiseconds since the runtime started. */
    now: () => Math.floor((Date.now() - start) / 10),
  };
};
