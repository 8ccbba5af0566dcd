/** What both benchmarks share: sample statistics and the printed table (metric, value, unit, baseline, ratio, target). */

export interface Row {
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  target?: string;
}

export const fmt = (v: number | undefined): string => {
  if (v === undefined || !Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 10000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
};

export function printTable(rows: Row[], targetHeader = 'target / reference'): void {
  const head = ['metric', 'value', 'unit', 'baseline', 'ratio', targetHeader];
  const cells = rows.map((r) => [r.metric, fmt(r.value), r.unit, fmt(r.baseline), r.baseline ? (r.value / r.baseline).toFixed(2) + 'x' : '', r.target ?? '']);
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const right = (i: number) => i === 1 || i === 3 || i === 4;
  const line = (c: string[]) => '| ' + c.map((x, i) => (right(i) ? x.padStart(width[i]!) : x.padEnd(width[i]!))).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + width.map((w, i) => (right(i) ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|');
  for (const c of cells) console.log(line(c));
}

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, p50: q(0.5), p99: q(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length, min: s[0]!, max: s[s.length - 1]! };
}
