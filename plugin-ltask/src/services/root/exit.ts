/**
 * ltask's exit rule: the runtime ends when the last anonymous service has
 * ended (and no restart is pending). Named services are then asked to quit,
 * newest first, each within a time limit, and the host is told to exit.
 */
import { MessageType, ServiceState } from '../../wire/protocol.ts';
import type { Root } from './state.ts';

/** How long a named service may take to quit at shutdown. */
const QUIT_TIMEOUT_MS = 3000;

/** Stops the runtime: named services quit, newest first, then the host is told. */
export async function shutdown(r: Root): Promise<void> {
  if (r.stopping) return;
  r.stopping = true;
  const names = [...r.named.entries()].reverse();
  for (const [name, addr] of names) {
    if (r.sys.table.state(addr) === ServiceState.DEAD) continue;
    try {
      await Promise.race([
        r.sys.request(addr, MessageType.SYSTEM, ['quit']),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), QUIT_TIMEOUT_MS)),
      ]);
    } catch (e) {
      // It ended by itself between the check above and the request: it did quit.
      if (r.sys.table.state(addr) === ServiceState.DEAD) continue;
      r.ctx.log.error(`[ltask] named service ${name} (${addr}) did not quit cleanly: ${(e as Error).message}`);
    }
  }
  r.sys.post({ type: 'exit', code: 0 });
}

/** Applies the exit rule: shuts down once no anonymous service is left and none is about to restart. */
export function endIfIdle(r: Root): void {
  if (r.anonymous.size === 0 && r.restarting === 0 && !r.stopping) void shutdown(r);
}
