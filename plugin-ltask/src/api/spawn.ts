/**
 * How a service is started: the options of root's `spawn_service` (ltask's
 * table form), as the host's `spawnService` and services pass them.
 */

/** `spawn_service` options (ltask's table form). */
export interface SpawnOptions {
  name: string;
  args?: unknown[];
  /** Pin the service to this worker. */
  worker_id?: number;
  /** Register under `name` and return the existing one if any. */
  unique?: boolean;
  /** Label shown in introspection (default: the name). */
  label?: string;
  /**
   * With `unique`: one instance per worker. `queryservice(name)` from a
   * service answers the instance on that service's own worker, started there
   * (with the same args) on first use; the host gets the first instance. For
   * stateless services every service calls often, like io: a call within a
   * worker wakes no other thread. Every instance gets a `peers(addrs)` request
   * whenever one starts, so they can share settings; a new instance first
   * gets `settings(s)` with what the first instance's `settings()` answers.
   */
  local?: boolean;
  /**
   * What root does when the service fails (a JS exception out of its VM, its
   * memory limit, its worker crashing or frozen); quitting or being killed is
   * not a failure. `"none"` (default): nothing. `"restart"`: start it again
   * at once with the same options, at most 5 times in 10 s (then it stays
   * dead and root logs why). `"backoff"`: start it again after 100 ms,
   * doubling up to 5 s while it keeps failing within 10 s of its start. The
   * new instance has a new address; a unique service's name moves to it.
   */
  restart?: 'none' | 'restart' | 'backoff';
  /** This service's `runawayMs` (a Lua handler that runs longer without yielding is stopped); 0: never. */
  runaway_ms?: number;
  /**
   * This Lua service's memory limit in bytes (the runtime's `memLimit` by
   * default; 0: none), on the estimate `ltask.mem_count` gives. Over it, the
   * running handler fails; still over after a message, the service fails.
   */
  mem_limit?: number;
}
