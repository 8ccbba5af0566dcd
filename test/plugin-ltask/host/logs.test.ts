/**
 * Self-checks of the service-log collector (test/support/logs.ts) over a real
 * runtime: a service that logs an error fails the check unless the test
 * declared it; a declared error that never came fails it too.
 */
import { describe, expect, it } from 'vitest';
import { runtimes } from '../../support/runtime.ts';

const start = runtimes();

const LOUD = `
local ltask = require "ltask"
local S = {}
function S.fail(text) ltask.log.error(text) return true end
function S.say(text) print(text) return true end
return S
`;
const loud = async () => {
  const r = await start({ servicePath: 'service/?.lua', sources: { 'service/loud.lua': LOUD } });
  return { r, s: await r.spawn('loud') };
};

/** Waits until the collector holds a line with `text` (the logger is a service: lines arrive a moment after the call). */
async function logged(text: string): Promise<void> {
  for (let t = Date.now(); !start.logs.entries.some((e) => e.text === text); await new Promise((res) => setTimeout(res, 10))) {
    if (Date.now() - t > 5000) throw new Error(`"${text}" never reached onLog`);
  }
}

describe('service error logs fail a test', () => {
  it('self-check: an error line the test did not declare fails the check, naming the service and the line', async () => {
    const { r, s } = await loud();
    expect(await r.call(s, 'fail', 'sabotage: a service error')).toBe(true);
    await logged('sabotage: a service error');
    // runtimes()'s after-hook runs this same check; here its failure is caught to assert it.
    expect(() => start.logs.check()).toThrow(/^service error log the test did not expect:\n {2}\[loud:\d+\] sabotage: a service error$/);
  });

  it('an info line passes; an error line the test declared passes', async () => {
    const { r, s } = await loud();
    start.logs.expectError(/sabotage: declared/); // this test's own line
    await r.call(s, 'say', 'an info line');
    await r.call(s, 'fail', 'sabotage: declared');
    await logged('sabotage: declared');
    await logged('an info line');
    expect(() => start.logs.check()).not.toThrow();
  });

  it('self-check: a declared error line that never came fails the check', async () => {
    const { r, s } = await loud();
    start.logs.expectError(/sabotage: never logged/);
    await r.call(s, 'say', 'only info');
    await logged('only info');
    expect(() => start.logs.check()).toThrow(/^expected service error log never seen: \/sabotage: never logged\/$/);
  });
});
