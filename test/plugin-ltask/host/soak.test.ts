/**
 * The soak, short (the full one: `npm run soak`): services killed, workers
 * crashed and loaders suspended while calls run; every call settles.
 */
import { describe, expect, it } from 'vitest';
import { soak } from '../../../bench/soak/soak.ts';

describe('soak (short)', () => {
  it('100 services, 20,000 calls with kills, worker crashes and loader suspensions: lost 0, hangs 0', async () => {
    const r = await soak({
      services: 100,
      messages: 20_000,
      workers: 3,
      window: 256,
      faultEvery: 400,
      // A hang: a call that waits 30 s. Calls queued behind a replaced worker's start and its
      // 32 waiting spawns took over 10 s on a 2-core machine busy with other work; a call that
      // never settles is still caught (the run waits twice this for the last ones).
      hangMs: 30_000,
      paths: ['test/fixtures/io/a.txt', 'test/fixtures/io/index.json'],
      seed: 7,
    });
    expect(r.sent).toBe(20_000);
    // On a failure, what never settled, what settled late, and the runtime's last log lines.
    const why = `unsettled: ${(r.unsettled ?? []).join('; ')}\nlate: ${(r.late ?? []).join('; ')}\nlogs: ${(r.logs ?? []).slice(-20).join('\n')}`;
    expect(r, why).toMatchObject({ lost: 0, hangs: 0, wrong: 0, serialViolations: 0 });
    expect(r.stalled).toBeUndefined();
    expect(r.answered + r.errored).toBe(r.sent);
    // The faults happened and were felt: callers were told, workers replaced.
    expect(r.kills).toBeGreaterThan(10);
    expect(r.crashes).toBeGreaterThan(0);
    expect(r.replacedWorkers).toBeGreaterThan(0);
    expect(r.loads).toBeGreaterThan(10);
    expect(r.errored).toBeGreaterThan(0);
    expect(r.answered).toBeGreaterThan(r.sent / 2);
    for (const text of Object.keys(r.errors)) expect(text).toMatch(/is dead|has quit|has been quit|^spawn: /);
  }, 180_000);
});
