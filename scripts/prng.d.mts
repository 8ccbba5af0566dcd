/** mulberry32: a small seeded generator, the same on every machine. Returns numbers in [0, 1). */
export function prng(seed: number): () => number;
