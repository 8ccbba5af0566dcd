/**
 * A Lua service's limits: the runaway limit (a handler that runs too long
 * without yielding is stopped) and the memory limit (a service that holds too
 * much fails), checked from the instruction-count hook and after each message.
 *
 * One runaway script must not freeze the other services of its worker, nor
 * one leaking service take the worker's memory; the checks are throttled so a
 * service without a limit pays one hook call per 20,000 instructions and a
 * service with one pays the memory walk at most 1/20 of its time.
 */
import fengari, { type LuaState } from 'fengari';
import { raise } from './core.ts';
import type { LuaServiceState } from './state.ts';

const { lua, lauxlib } = fengari;

/** Instructions between two runs of {@link runaway}. */
export const HOOK_COUNT = 20_000;

/**
 * The count hook (threads inherit it): a handler that has run longer than
 * `runawayMs` without yielding is stopped with an error, and so is one over
 * its memory limit.
 */
export function runaway(svc: LuaServiceState, L: LuaState): void {
  const ms = performance.now() - svc.enteredAt;
  if (svc.runawayMs > 0 && ms > svc.runawayMs) {
    raise(L, `[ltask] runaway script: ran ${Math.round(ms)} ms without yielding (runawayMs ${svc.runawayMs})`);
  }
  const over = overLimit(svc, L, true);
  if (over) raise(L, over);
}

/**
 * Walks the service's memory (throttled) and says why it is over its limit,
 * or null. Inside a handler (`running`) the throttle's clock is the service's
 * running time (its idle time does not count: a long handler is checked while
 * it runs); after a message, wall-clock time (an idle service is checked again
 * when its next message ends).
 */
export function overLimit(svc: LuaServiceState, L: LuaState, running: boolean): string | null {
  if (svc.memLimit <= 0) return null;
  const t0 = performance.now();
  if (t0 < (running ? svc.memRunCheckAt : svc.memCheckAt)) return null;
  svc.memCheckAt = svc.memRunCheckAt = Infinity; // no check inside the check
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, svc.entries.memory);
  const bytes = lua.lua_pcall(L, 0, 1, 0) === lua.LUA_OK ? lua.lua_tonumber(L, -1) : 0;
  lua.lua_pop(L, 1);
  const t1 = performance.now();
  svc.memCheckAt = svc.memRunCheckAt = t1 + Math.max(50, (t1 - t0) * 20);
  if (bytes <= svc.memLimit) return null;
  const kib = (n: number) => Math.round(n / 1024).toLocaleString('en-US');
  return `[ltask] memory limit: service ${svc.address} (${svc.label}) holds about ${kib(bytes)} KiB, over its limit of ${kib(svc.memLimit)} KiB (mem_count's estimate)`;
}

/** `core.mem_limit(bytes)`: sets the memory limit (0: none); the previous one. */
export function lmemLimit(svc: LuaServiceState, L: LuaState): number {
  const prev = svc.memLimit;
  const n = lauxlib.luaL_checknumber(L, 1);
  if (!(n >= 0)) raise(L, 'ltask.mem_limit: bytes >= 0 (0: no limit)');
  svc.memLimit = n;
  // Checked at the next hook or message end; idle time counts from now.
  svc.memCheckAt = svc.memRunCheckAt = 0;
  svc.leftAt = svc.enteredAt;
  lua.lua_pushnumber(L, prev);
  return 1;
}
