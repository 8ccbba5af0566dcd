/** Page settings from the URL: `?latency=300` adds 300 ms to every io read. */
export interface DemoConfig {
  /** Milliseconds the io service waits before each answer. */
  latencyMs: number;
  /** The public root the io service fetches assets from. */
  root: string;
}

/** Reads `?latency=N` (0 to 5000 ms; default 0). */
export function readConfig(href: string): DemoConfig {
  const url = new URL(href);
  const raw = Number(url.searchParams.get('latency') ?? 0);
  const latencyMs = Number.isFinite(raw) ? Math.min(5000, Math.max(0, Math.round(raw))) : 0;
  return { latencyMs, root: new URL('/', url).href };
}
