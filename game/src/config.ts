/**
 * Page settings from the URL: `?latency=300` adds 300 ms to every io read
 * (the overlay's slider changes it later), `?world=2` starts in world 2,
 * `?noaa` / `?aa` turn antialiasing off / on (default: on, except on a
 * software renderer such as SwiftShader, where it costs a third of the frame
 * rate and leaves dotted seams between meshes).
 */
export interface DemoConfig {
  /** Milliseconds the io service waits before each answer. */
  latencyMs: number;
  /** The public root the io service fetches assets from. */
  root: string;
  /** The world to start in. */
  world: number;
  /** `'auto'`: on unless the WebGL renderer is a software one. */
  antialias: boolean | 'auto';
}

/** Reads `?latency=N` (0 to 5000 ms; default 0), `?world=N` (default 1), `?noaa` / `?aa`. */
export function readConfig(href: string): DemoConfig {
  const url = new URL(href);
  const raw = Number(url.searchParams.get('latency') ?? 0);
  const latencyMs = Number.isFinite(raw) ? Math.min(5000, Math.max(0, Math.round(raw))) : 0;
  const w = Number(url.searchParams.get('world') ?? 1);
  const world = Number.isInteger(w) && w >= 1 ? w : 1;
  const p = url.searchParams;
  return { latencyMs, root: new URL('/', url).href, world, antialias: p.has('noaa') ? false : p.has('aa') ? true : 'auto' };
}

/** Whether WebGL here is a software renderer (SwiftShader, llvmpipe): asked of a throwaway context. */
export function softwareGL(): boolean {
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}
