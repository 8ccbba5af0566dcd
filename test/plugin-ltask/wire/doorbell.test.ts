// The doorbell protocol between scheduler workers (table.ts nudge, ring.ts):
// a message to an awake worker rings nothing (it polls its rings), a message to
// a sleeping one rings once. Run on two real threads, it must never lose a
// wake-up: every message arrives and no sleep outlasts a waiting message.
import { describe, expect, it } from 'vitest';
import { ServiceTable } from '../../../plugin-ltask/src/wire/table.ts';
import { createRingBuffer } from '../../../plugin-ltask/src/wire/transport/ring.ts';
import { results, startThread } from './threads.ts';
import type { DoorbellData, DoorbellResult } from './doorbell.worker.ts';

describe('doorbell (two threads)', () => {
  it('20,000 messages with pauses of every length: all arrive, the consumer sleeps and wakes, no wake-up is lost', async () => {
    const table = ServiceTable.create(16);
    const ring = createRingBuffer(4096);
    const common = { table: table.sab, ring, count: 20_000, worker: 1 };
    const threads = (['consumer', 'producer'] as const).map((role) => startThread<DoorbellResult>('doorbell.worker.ts', { ...common, role } satisfies DoorbellData));
    const [consumer] = await results(threads, 60_000);
    expect(consumer!.error).toBeNull();
    expect(consumer!.got).toBe(20_000);
    expect(consumer!.lost).toBe(0);
    expect(consumer!.sleeps).toBeGreaterThan(0); // the sleeping path was exercised
  });
});
