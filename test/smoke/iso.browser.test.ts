import { expect, it } from 'vitest';
it('is cross-origin isolated', () => { expect(globalThis.crossOriginIsolated).toBe(true); });
