/** A headless App with LtaskPlugin's world on 2 real worker_threads, and frames driven on a timer. */
import { App, MinimalPlugins, defineEvent } from '@ltask-web/engine';
import { Ltask, LtaskPlugin, type LtaskPluginOptions } from '@ltask-web/plugin-ltask/engine';
import { shared } from '../../fixtures/world/shared.ts';

export const Ping = defineEvent<{ n: number }>('Ping');
export const Pong = defineEvent<{ n: number; from: string }>('Pong');

/** The TypeScript mover service (test/fixtures/world/ts_mover.ts). */
export const TS_MOVER = new URL('../../fixtures/world/ts_mover.ts', import.meta.url).href;

/** A world test's App: its error log lines land in `errors`. */
export interface WorldTestApp {
  readonly app: App;
  readonly errors: string[];
}

export function makeApp(sources: Record<string, string>, extra: Partial<LtaskPluginOptions> = {}): WorldTestApp {
  const errors: string[] = [];
  const app = new App().addPlugins(
    MinimalPlugins,
    new LtaskPlugin({
      workers: 2,
      sources,
      services: { ts_mover: TS_MOVER },
      io: false,
      onLog: (e) => {
        if (e.level === 'error') errors.push(e.text);
      },
      world: { components: shared, eventsIn: [Ping], eventsOut: [Pong] },
      ...extra,
    }),
  );
  app.addEvent(Ping).addEvent(Pong);
  return { app, errors };
}

/** Stops the App and its runtime. */
export async function stopApp(a: App | null): Promise<void> {
  const lt = a?.getResource(Ltask);
  a?.exit();
  await lt?.stop();
}

/** Runs frames on a timer until `done()` (never awaits inside a frame). */
export async function frames(a: App, done: () => boolean, limit = 600): Promise<number> {
  let n = 0;
  while (!done() && n < limit) {
    a.update(1 / 60);
    n++;
    await new Promise((r) => setTimeout(r, 3));
  }
  return n;
}

/** Frames until `p` settles; its value (or its error, thrown). */
export async function settle<T>(a: App, p: Promise<T>): Promise<T> {
  let out: { v: T } | { e: unknown } | null = null;
  p.then((v) => (out = { v }), (e: unknown) => (out = { e }));
  await frames(a, () => out !== null, 2000);
  const o = out as { v: T } | { e: unknown } | null;
  if (!o) throw new Error('did not settle in 2000 frames');
  if ('e' in o) throw o.e;
  return o.v;
}

/** `call` on the App's runtime by address, typed by the caller, with frames running meanwhile. */
export function call<T = unknown>(a: App, addr: number, name: string, ...args: unknown[]): Promise<T> {
  return settle(a, a.resource(Ltask).call(addr, name, ...args) as Promise<T>);
}

/** A service's address by name (spawned once), with frames running meanwhile. */
export function service(a: App, name: string): Promise<number> {
  return settle(a, a.resource(Ltask).service(name));
}
