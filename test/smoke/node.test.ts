import { expect, it } from 'vitest';
it('has SharedArrayBuffer', () => { expect(typeof SharedArrayBuffer).toBe('function'); });
