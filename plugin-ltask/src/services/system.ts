/**
 * The logger and timer system services (TypeScript, named "logger" and
 * "timer"). The logger writes as other services, so it is a system service
 * (it gets the privileged context); the timer needs nothing of the kind.
 */
import type { ServiceFactory } from '../api/service.ts';
import type { SystemServiceFactory } from '../api/system.ts';

/** Forwards log lines to the host, in the order they arrive, as the services that wrote them. */
export const logger: SystemServiceFactory = (_ctx, sys) => ({
  log(level: string, source: number, label: string, text: string) {
    sys.log(level === 'error' ? 'error' : 'info', source, label, text);
  },
});

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
