// ltask compatibility: the programs in test/plugin-ltask/compat/programs, written in
// ltask's style over its whole service API, run here and print, line for line,
// what they print under native ltask (test/plugin-ltask/compat/expected, produced by
// scripts/ltask-compat/run-native.sh from ltask's sources; see its header).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startRuntime, type LogEntry } from '@ltask-web/plugin-ltask';
import { serviceLogs } from '../../support/logs.ts';

const dir = new URL('./programs/', import.meta.url);
const logs = serviceLogs();
const mains = readdirSync(dir).filter((f) => f.endsWith('_main.lua')).map((f) => f.slice(0, -4));

describe('ltask compatibility', () => {
  it('finds its programs and their expected outputs', () => {
    expect(mains.length).toBeGreaterThan(0);
  });

  for (const main of mains) {
    it(`${main} prints what it prints under native ltask`, async () => {
      const expected = readFileSync(new URL(`./expected/${main}.txt`, import.meta.url), 'utf8').trimEnd().split('\n');
      const lines: string[] = [];
      const rt = await startRuntime({
        workers: 2,
        servicePath: 'test/plugin-ltask/compat/programs/?.lua',
        luaPath: 'test/plugin-ltask/compat/programs/?.lua',
        io: false,
        onLog: (e: LogEntry) => {
          // The programs' lines are compared with native ltask's; any other error line fails the test.
          if (e.label.startsWith('compat')) lines.push(`( ${e.label} ) ${e.text}`);
          else logs.onLog(e);
        },
      });
      try {
        await rt.spawn(main);
        const end = await Promise.race([rt.exited, new Promise((r) => setTimeout(r, 20_000, 'timeout'))]);
        expect(end, 'the run ends by itself (every service quit)').not.toBe('timeout');
      } finally {
        await rt.stop();
      }
      expect(lines).toEqual(expected);
    }, 30_000);
  }
});
