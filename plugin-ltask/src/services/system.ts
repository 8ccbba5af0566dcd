/** The logger and timer system services (TypeScript, named "logger" and "timer"). */
import type { ServiceFactory } from '../worker/ts-service.ts';

/** Forwards log lines to the host, in the order they arrive, as the services that wrote them. */
export const logger: ServiceFactory = (ctx) => {
  const sys = ctx.system;
  if (!sys) throw new Error('[ltask] logger runs only as a system service');
  return {
    log(level: string, source: number, label: string, text: string) {
      sys.log(level === 'error' ? 'error' : 'info', source, label, text);
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
