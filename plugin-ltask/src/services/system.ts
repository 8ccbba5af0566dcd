/** The logger and timer system services (TypeScript, named "logger" and "timer"). */
import type { Scheduler } from '../worker/scheduler.ts';
import type { Handlers } from '../worker/ts-service.ts';

/** Forwards log lines to the host, in the order they arrive. */
export function createLogger(sched: Scheduler): Handlers {
  return {
    log(level: string, source: number, label: string, text: string) {
      sched.log(level === 'error' ? 'error' : 'info', source, label, text);
    },
  };
}

/**
 * Time for services that ask for it by message. Unlike ltask's timer service it
 * never blocks a worker: every wait is a host timer on this worker's event loop.
 */
export function createTimer(): Handlers {
  const start = Date.now();
  return {
    /** Answers after `cs` centiseconds. */
    sleep: (cs: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, cs) * 10)),
    /** Centiseconds since the runtime started. */
    now: () => Math.floor((Date.now() - start) / 10),
  };
}
