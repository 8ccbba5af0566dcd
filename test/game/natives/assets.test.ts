import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ASSETS } from './helpers.ts';

const script = fileURLToPath(new URL('../../../game/content/generate.mjs', import.meta.url));

function list(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? list(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

describe('game/content/generate.mjs', () => {
  it('regenerates the committed assets byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'gen-assets-'));
    try {
      execFileSync(process.execPath, [script, '--out', out], { stdio: 'pipe' });
      const files = list(out);
      expect(files).toEqual(list(ASSETS));
      expect(files).toContain('levels.db');
      for (const f of files) expect(Buffer.compare(readFileSync(join(out, f)), readFileSync(join(ASSETS, f))), f).toBe(0);
      const db = readFileSync(join(out, 'levels.db'));
      expect(db.byteLength).toBeLessThan(3 * 1024 * 1024);
      expect(db.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
