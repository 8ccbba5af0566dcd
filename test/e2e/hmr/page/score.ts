// A TypeScript service for the hot-reload test, with a relative import: the
// test edits this file's version, then its helper's.
import { defineService } from '@ltask-web/plugin-ltask/service';
import { suffix } from './suffix.ts';

export default defineService((ctx, start: string) => ({
  version: () => `score v1 ${start}${suffix()}`,
  /** Answers after 30 s: still running when the test saves the file. */
  async slow() {
    await ctx.sleep(3000);
    return 'slow done';
  },
}));
