import { afterEach, describe, expect, it } from 'vitest';
import { AmbientLight, MeshBasicMaterial, OrthographicCamera, PlaneGeometry } from 'three';
import {
  App, AssetPlugin, AssetServer, camera, ClearColor, despawn, DiagnosticsPlugin, FetchReader, light, mesh, RenderContext,
  RenderPlugin, sceneRoot, setParent, spawn, TimePlugin, transform, TransformPlugin, Update,
} from '../../../engine/src/index.ts';

const SIZE = 64;
const apps: App[] = [];

afterEach(() => {
  for (const app of apps.splice(0)) app.exit();
  document.body.replaceChildren();
});

/** An app drawing on a 64×64 canvas; the camera shows world x, y in [0, 1]. */
function makeApp(...extra: ConstructorParameters<typeof App> extends [] ? Parameters<App['addPlugins']> : never) {
  const canvas = document.createElement('canvas');
  canvas.style.cssText = `width:${SIZE}px;height:${SIZE}px;display:block`;
  document.body.appendChild(canvas);
  const app = new App().addPlugins(
    new TimePlugin(),
    new TransformPlugin(),
    new RenderPlugin({ canvas, preserveDrawingBuffer: true, antialias: false, pixelRatio: 1 }),
    ...extra,
  );
  apps.push(app);
  app.insertResource(new ClearColor(0x00ff00));
  spawn(app.world, camera(new OrthographicCamera(0, 1, 1, 0, 0.1, 10)), transform({ position: [0, 0, 5] }));
  return app;
}

/** RGBA at (x, y) in canvas pixels, y from the top. */
function pixel(app: App, x: number, y: number): number[] {
  const renderer = app.resource(RenderContext).renderer!;
  const gl = renderer.getContext();
  const out = new Uint8Array(4);
  gl.readPixels(x, SIZE - 1 - y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
  return Array.from(out);
}

/** The dominant colour of a pixel, by channel. */
function colourName([r, g, b]: number[]): string {
  if (r! > 200 && g! > 200 && b! > 200) return 'white';
  if (r! > 120 && g! < 60 && b! < 60) return 'red';
  if (g! > 120 && r! < 60 && b! < 60) return 'green';
  if (b! > 120 && r! < 60 && g! < 60) return 'blue';
  return `rgb(${r},${g},${b})`;
}

describe('RenderPlugin (WebGL)', () => {
  it('draws ECS entities with the expected colours at known pixels', () => {
    const app = makeApp();
    const ctx = app.resource(RenderContext);
    expect(ctx.headless).toBe(false);
    const quad = new PlaneGeometry(1, 1);
    // Red fills the left half; blue is a quarter-size square right of centre, placed through a parent.
    const red = spawn(app.world, mesh(quad, new MeshBasicMaterial({ color: 0xff0000 })), transform({ position: [0.25, 0.5, 0], scale: [0.5, 1, 1] }));
    const holder = spawn(app.world, transform({ position: [0.75, 0.5, 0] }));
    const blue = spawn(app.world, mesh(quad, new MeshBasicMaterial({ color: 0x0000ff })), transform({ scale: 0.5 }));
    setParent(app.world, blue, holder);
    app.update(1 / 60);
    expect([ctx.width, ctx.height]).toEqual([SIZE, SIZE]);
    expect(pixel(app, 16, 32)).toEqual([255, 0, 0, 255]);
    expect(pixel(app, 48, 32)).toEqual([0, 0, 255, 255]);
    expect(pixel(app, 48, 4)).toEqual([0, 255, 0, 255]); // above the blue square: clear colour
    expect(pixel(app, 48, 60)).toEqual([0, 255, 0, 255]); // below it

    despawn(app.world, red);
    app.update(1 / 60);
    expect(pixel(app, 16, 32)).toEqual([0, 255, 0, 255]);
    expect(pixel(app, 48, 32)).toEqual([0, 0, 255, 255]);
  });

  it('follows the canvas size and keeps pixels where the camera puts them', () => {
    const app = makeApp();
    const ctx = app.resource(RenderContext);
    spawn(app.world, mesh(new PlaneGeometry(1, 1), new MeshBasicMaterial({ color: 0xff0000 })), transform({ position: [0.75, 0.75, 0], scale: 0.5 }));
    app.update(1 / 60);
    const canvas = ctx.renderer!.domElement;
    canvas.style.width = canvas.style.height = `${SIZE / 2}px`;
    app.update(1 / 60);
    expect([ctx.width, ctx.height, canvas.width, canvas.height]).toEqual([32, 32, 32, 32]);
    const gl = ctx.renderer!.getContext();
    const at = (x: number, y: number) => {
      const out = new Uint8Array(4);
      gl.readPixels(x, 31 - y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
      return colourName(Array.from(out));
    };
    expect([at(24, 8), at(8, 24)]).toEqual(['red', 'green']);
  });

  it('a canvas no CSS sizes keeps its size at a pixel ratio of 2 (its buffer does not feed back into its layout)', () => {
    const canvas = document.body.appendChild(document.createElement('canvas'));
    const app = new App().addPlugins(new RenderPlugin({ canvas, pixelRatio: 2 }));
    apps.push(app);
    for (let i = 0; i < 5; i++) app.update(1 / 60);
    const ctx = app.resource(RenderContext);
    expect([canvas.clientWidth, canvas.clientHeight, ctx.width, ctx.height]).toEqual([300, 150, 300, 150]);
    expect([canvas.width, canvas.height]).toEqual([600, 300]);
  });

  it('loads a glTF with a texture over fetch and draws it the right way up', async () => {
    const app = makeApp(new AssetPlugin({ reader: new FetchReader('/test/fixtures/engine/') }));
    spawn(app.world, light(new AmbientLight(0xffffff, 4)));
    const handle = app.resource(AssetServer).load('triangle.gltf');
    spawn(app.world, sceneRoot(handle), transform());
    await handle.loaded();
    expect(handle.dependencies.map((d) => d.state)).toEqual(['loaded']);
    expect(handle.progress.bytesLoaded).toBeGreaterThan(1000);
    app.update(1 / 60);
    // The fixture's texture: top row red, green; bottom row blue, white. glTF uv (0,0) is the image's top left.
    expect(colourName(pixel(app, 3, 10))).toBe('red'); // near the vertex with uv (0, 0)
    expect(colourName(pixel(app, 3, 60))).toBe('blue'); // near uv (0, 1)
    expect(colourName(pixel(app, 58, 60))).toBe('white'); // near uv (1, 1)
    expect(colourName(pixel(app, 60, 4))).toBe('green'); // outside the triangle: clear colour
  });

  it('runs on requestAnimationFrame, shows the diagnostics overlay, and stops on exit()', async () => {
    const app = makeApp(new DiagnosticsPlugin({ overlay: true, overlayIntervalMs: 0 }));
    let frames = 0;
    app.addSystems(Update, () => { if (++frames === 5) app.exit(); });
    await app.run();
    expect(frames).toBe(5);
    expect(app.resource(RenderContext).frames).toBe(5); // exit() lets the current frame finish
    expect(document.querySelector('[data-engine="diagnostics"]')).toBeNull(); // removed on exit
  });
});
