import type { Runtime } from '@ltask-web/plugin-ltask';

export type PairMode = 'split' | 'parent';
export function spawnPairs(rt: Runtime, mode: PairMode, n: number): Promise<[number, number][]>;
export function pairsRound(rt: Runtime, pairs: [number, number][], k: number): Promise<unknown[][]>;
