/**
 * Why a browser worker failed to start. A module worker that cannot be fetched,
 * parsed or evaluated fires a bare `error` event with no message; this looks at
 * the script itself and names the cause and the fix.
 */

const ISOLATION_HINT =
  'Serve it with "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
  '(vite: add ltask() from @ltask-web/plugin-ltask/vite to your plugins; static hosts: see the deployment guide in the @ltask-web/plugin-ltask README).';

/**
 * Turns a worker's error event message into an actionable sentence.
 * `running`: the worker had loaded (it had spoken to the page); its own code
 * failed since, not the bundle's.
 */
export function explainWorkerError(name: string, message: string, running = false): string {
  // V8 and SpiderMonkey say "process is not defined", JavaScriptCore "Can't find variable: process".
  if (!running && /process is not defined|Can't find variable: process\b/.test(message)) {
    return `worker ${name} failed: ${message}. fengari reads process.env when it loads: bundle with the ltask() vite plugin (@ltask-web/plugin-ltask/vite), which guards it.`;
  }
  return `worker ${name} failed: ${message}`;
}

/** Fetches the worker's script and says what is wrong with it. */
export async function describeWorkerFailure(name: string, url: string): Promise<string> {
  const where = `worker ${name} (${url}) failed to load`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    return `${where}: the script could not be fetched (${e instanceof Error ? e.message : String(e)})`;
  }
  if (!res.ok) {
    return `${where}: the server answered ${res.status} ${res.statusText}. Is the build deployed whole (the worker chunks under assets/ included)?`;
  }
  const type = res.headers.get('content-type') ?? '';
  if (!/javascript|ecmascript/.test(type)) {
    const ts = /\.tsx?(\?|$)/.test(new URL(url).pathname) || /mp2t/.test(type);
    return (
      `${where}: it is served as "${type || 'no content type'}", not JavaScript` +
      (ts ? ': a TypeScript file was copied as a raw asset. Declare native modules with the "?ltask-native" import suffix and bundle with the ltask() vite plugin.' : '.')
    );
  }
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated && !res.headers.get('cross-origin-embedder-policy')) {
    return `${where}: the page is cross-origin isolated but the worker script is served without "Cross-Origin-Embedder-Policy: require-corp", so the browser blocks it. ${ISOLATION_HINT}`;
  }
  return (
    `${where}: the script was fetched but did not run; it has a syntax error or an import that cannot be resolved (the browser console shows which), ` +
    'or (WebKit) the browser revalidated its cached copy and the server\'s "304 Not Modified" answer lacked the isolation headers: send them with every status.'
  );
}
