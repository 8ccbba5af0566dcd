/**
 * Restart policies (`SpawnOptions.restart`): a supervised service that failed
 * starts again with the same options, at once ("restart", a limited number of
 * times within a window) or after a delay that doubles while it keeps failing
 * soon after its start ("backoff"). A unique service's name moves to the new
 * instance.
 */
import { register } from './names.ts';
import { endIfIdle } from './exit.ts';
import { spawn } from './spawn.ts';
import type { Root } from './state.ts';

/** How often and how soon root restarts a failed service. */
const RESTART = { max: 5, windowMs: 10_000, firstDelayMs: 100, maxDelayMs: 5_000 };

/** A supervised service failed: start it again (its policy permitting). */
export function restart(r: Root, addr: number, failure: string): void {
  const s = r.supervised.get(addr)!;
  r.supervised.delete(addr);
  if (r.stopping) return;
  const now = Date.now();
  const recent = s.restarts.filter((t) => now - t < RESTART.windowMs);
  const what = `${s.options.label ?? s.options.name} (${addr})`;
  if (s.options.restart === 'restart' && recent.length >= RESTART.max) {
    r.ctx.log.error(`[ltask] ${what} failed ${RESTART.max + 1} times within ${RESTART.windowMs / 1000} s: not restarted again. Last failure: ${failure}`);
    return;
  }
  const quick = now - s.started < RESTART.windowMs;
  const delay = s.options.restart === 'backoff' ? (quick && s.delay ? Math.min(RESTART.maxDelayMs, s.delay * 2) : RESTART.firstDelayMs) : 0;
  r.ctx.log.error(`[ltask] ${what} failed; restarting it${delay ? ` in ${delay} ms` : ''}: ${failure}`);
  r.restarting++;
  setTimeout(() => {
    r.restarting--;
    if (r.stopping) return;
    spawn(r, s.options).then(
      (fresh) => {
        const again = r.supervised.get(fresh);
        if (again) r.supervised.set(fresh, { ...again, restarts: [...recent, now], delay });
        if (s.name !== undefined) register(r, s.name, fresh);
      },
      (e: Error) => {
        r.ctx.log.error(`[ltask] ${what} could not be restarted: ${e.message}`);
        endIfIdle(r);
      },
    );
  }, delay);
}
