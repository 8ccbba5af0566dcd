/** Cross-worker transport: SPSC rings over SharedArrayBuffer, and message frames. */
export { createRingBuffer, RingReader, RingSender } from './ring.ts';
export { frame, unframe } from './frame.ts';
export type { Msg } from './frame.ts';
