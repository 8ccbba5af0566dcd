// Self-check of the page-error collectors (test/support/browsers/errors.ts)
// in the three engines: a page that throws, rejects and writes console
// errors, at load and later, must have each line reported; a quiet page none.
// The end-to-end tests assert their pages' lists are empty: this shows that
// an error there would be seen (WebKit's through the collector injected in
// the page, Chromium's and Firefox's through their drivers' events).
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, useBrowser, type E2EPage } from '../support/browsers/pages.ts';

const QUIET = '<!doctype html><html><head><title>quiet</title></head><body><p>quiet</p></body></html>';
const LOUD = `<!doctype html><html><head><title>loud</title>
<script>console.error('sabotage: console.error at load', 42);</script>
<script>throw new Error('sabotage: uncaught at load');</script>
<script>Promise.reject(new TypeError('sabotage: unhandled rejection'));</script>
</head><body><p>loud</p></body></html>`;

/** What the loud page and the later console.error must report, in any order. */
const PROVOKED = [
  'console.error: sabotage: console.error at load 42',
  'uncaught: Error: sabotage: uncaught at load',
  'uncaught: TypeError: sabotage: unhandled rejection',
  'console.error: sabotage: console.error later',
].sort();

let server: Server;
let site: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/plain') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('not a page');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url === '/loud' ? LOUD : QUIET);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  site = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** The page's lines once there are at least `n` (events may land a moment after the call that caused them). */
async function linesOf(page: E2EPage, n: number): Promise<string[]> {
  for (let t = Date.now(); ; await new Promise((r) => setTimeout(r, 50))) {
    const lines = await page.errors();
    if (lines.length >= n || Date.now() - t > 5000) return lines;
  }
}

for (const engine of ENGINES) {
  describe(`in ${engine}`, () => {
    const browser = useBrowser(engine);

    it('self-check: uncaught errors, unhandled rejections and console errors are reported, at load and later, across pages', async () => {
      const page = await browser.newPage(400, 300);
      try {
        await page.goto(`${site}/quiet`);
        expect(await page.evaluate(() => document.title)).toBe('quiet');
        await new Promise((r) => setTimeout(r, 200));
        expect(await page.errors()).toEqual([]);
        await page.goto(`${site}/loud`);
        expect(await page.evaluate(() => document.title)).toBe('loud');
        await page.evaluate(() => console.error('sabotage: console.error later'));
        expect((await linesOf(page, PROVOKED.length)).sort()).toEqual(PROVOKED);
        // Leaving the page keeps its lines.
        await page.goto(`${site}/quiet`);
        expect(await page.evaluate(() => document.title)).toBe('quiet');
        expect((await page.errors()).sort()).toEqual(PROVOKED);
      } finally {
        await page.close();
      }
    }, 60_000);

    if (engine === 'webkit') {
      it('self-check: a document the collector is not in is reported, not taken for a quiet page', async () => {
        const page = await browser.newPage(400, 300);
        try {
          await page.goto(`${site}/plain`);
          expect(await page.errors()).toEqual([`no error collector in ${site}/plain`]);
        } finally {
          await page.close();
        }
      }, 60_000);
    }
  });
}
