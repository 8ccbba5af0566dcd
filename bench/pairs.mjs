// Client/server pairs of Lua services (services/client.lua, services/echo.lua),
// shared by bench:runtime and bench/scaling.mjs. Plain JavaScript, so the
// scaling probe runs on machines with only node and the built package.

/**
 * Spawns `n` pairs and returns `[client, server]` addresses. Placement, both by
 * the default rules: "split": the host spawns each server, then its client
 * (least loaded in turn: with 2+ workers every pair spans two workers, the
 * costly case); "parent": the host spawns the clients and each client spawns
 * its server (a child starts on its parent's worker: each pair on one worker).
 */
export async function spawnPairs(rt, mode, n) {
  const pairs = [];
  for (let i = 0; i < n; i++) {
    if (mode === 'split') {
      const server = await rt.spawn('echo', 'bench');
      pairs.push([await rt.spawn('client', 'bench'), server]);
    } else {
      const client = await rt.spawn('client', 'bench');
      pairs.push([client, await rt.call(client, 'server')]);
    }
  }
  return pairs;
}

/** Every client makes `k` sequential calls to its server, all at once: each client's [samples, total seconds]. */
export const pairsRound = (rt, pairs, k) => Promise.all(pairs.map(([c, s]) => rt.callMulti(c, 'calls', s, k)));
