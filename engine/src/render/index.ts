/**
 * Render door: three.js components and bundles, `RenderPlugin` (scene sync
 * in `PostUpdate`, resize and draw in `Render`) and its `RenderContext`.
 * Without WebGL (Node, or `headless: true`) the scene is still kept in step,
 * so game logic and tests see the same three objects; only drawing is skipped.
 * @module
 */
import { Color, OrthographicCamera, PerspectiveCamera, Scene, WebGLRenderer } from 'three';
import type { ColorRepresentation } from 'three';
import { PostUpdate, Render } from '../app/index.ts';
import type { App, Plugin } from '../app/index.ts';
import { observe, onRemove } from '../ecs/index.ts';
import { TransformSystems } from '../transform/index.ts';
import { Camera3d, Light3d, Mesh3d, MeshMaterial3d, SceneRoot } from './components.ts';
import { SceneSync } from './sync.ts';

export { camera, Camera3d, Hidden, light, Light3d, mesh, Mesh3d, MeshMaterial3d, SceneRoot, sceneRoot } from './components.ts';
export { SceneSync } from './sync.ts';

/** System sets of `RenderPlugin`, to order against. */
export const RenderSystems = {
  /** Scene sync, in `PostUpdate` after transform propagation. */
  sync: 'render.sync',
  /** Resize and draw, in `Render`. */
  draw: 'render.draw',
} as const;

/** The colour the frame is cleared to. */
export class ClearColor {
  /** @param color any three colour */
  constructor(public color: ColorRepresentation = 0x000000, public alpha = 1) {}
}

/** The three scene, the renderer (null when headless) and the drawing size. */
export class RenderContext {
  /** The scene every renderable entity is in. */
  readonly scene: Scene;
  /** The renderer; null when headless. */
  readonly renderer: WebGLRenderer | null;
  /** The entity-to-object map and active camera. */
  readonly sync: SceneSync;
  /** Drawing width in CSS pixels. */
  width: number;
  /** Drawing height in CSS pixels. */
  height: number;
  /** Frames drawn (or, headless, that would have been drawn). */
  frames = 0;

  /** @param parts the scene, renderer (null when headless), scene sync and drawing size in CSS pixels */
  constructor(parts: { scene: Scene; renderer: WebGLRenderer | null; sync: SceneSync; width: number; height: number }) {
    this.scene = parts.scene;
    this.renderer = parts.renderer;
    this.sync = parts.sync;
    this.width = parts.width;
    this.height = parts.height;
  }

  /** Whether frames are drawn with WebGL. */
  get headless(): boolean {
    return this.renderer === null;
  }
}

/** Options of `RenderPlugin`. */
export interface RenderPluginOptions {
  /** Canvas to draw on; made and appended to `document.body` when omitted in a browser. */
  canvas?: HTMLCanvasElement;
  /** Use this renderer instead of making one. */
  renderer?: WebGLRenderer;
  /** No WebGL even in a browser. Default: true where there is no `document`. */
  headless?: boolean;
  /** Size when the canvas has no layout size (or headless). Default 300 × 150. */
  width?: number;
  height?: number;
  /** Follow the canvas' CSS size each frame. Default true. */
  autoResize?: boolean;
  /** Device pixel ratio. Default `devicePixelRatio` (capped at 2). */
  pixelRatio?: number;
  /** Keep the drawing buffer after compositing (pixel tests, screenshots). Default false. */
  preserveDrawingBuffer?: boolean;
  /** Default true. */
  antialias?: boolean;
}

/**
 * Draws ECS entities with three.js.
 * @example
 * ```ts
 * app.addPlugins(new RenderPlugin({ canvas: document.querySelector('canvas')! }));
 * spawn(app.world, camera(new PerspectiveCamera(60, 1, 0.1, 100)), transform({ position: [0, 0, 5] }));
 * spawn(app.world, mesh(new BoxGeometry(), new MeshNormalMaterial()), transform());
 * ```
 */
export class RenderPlugin implements Plugin {
  readonly name = 'RenderPlugin';

  /** @param options canvas, size and renderer settings */
  constructor(private readonly options: RenderPluginOptions = {}) {}

  build(app: App): void {
    const o = this.options;
    const headless = o.headless ?? (typeof document === 'undefined' && !o.renderer);
    const scene = new Scene();
    let renderer: WebGLRenderer | null = null;
    if (!headless) {
      renderer = o.renderer ?? new WebGLRenderer({
        canvas: o.canvas ?? document.body.appendChild(document.createElement('canvas')),
        antialias: o.antialias ?? true,
        preserveDrawingBuffer: o.preserveDrawingBuffer ?? false,
      });
      renderer.setPixelRatio(o.pixelRatio ?? Math.min(globalThis.devicePixelRatio || 1, 2));
    }
    const sync = new SceneSync(scene);
    const ctx = new RenderContext({ scene, renderer, sync, width: o.width ?? 300, height: o.height ?? 150 });
    if (renderer) renderer.setSize(ctx.width, ctx.height, false);
    app.insertResource(ctx);
    if (!app.hasResource(ClearColor)) app.insertResource(new ClearColor());
    observe(app.world, onRemove(SceneRoot), (eid: number) => {
      SceneRoot.handle[eid]?.drop();
      SceneRoot.handle[eid] = undefined;
    });
    for (const component of [Mesh3d, MeshMaterial3d, Camera3d, Light3d, SceneRoot]) {
      observe(app.world, onRemove(component), (eid: number) => sync.invalidate(eid));
    }
    app.addSystems(PostUpdate, function syncScene({ world }) {
      sync.sync(world);
    }, { inSet: RenderSystems.sync, after: TransformSystems.propagate });
    const autoResize = o.autoResize ?? true;
    app.addSystems(Render, function drawFrame({ resource }) {
      if (autoResize && renderer) resizeToCanvas(ctx, renderer);
      updateAspect(ctx);
      ctx.frames++;
      if (!renderer) return;
      const clear = resource(ClearColor);
      renderer.setClearColor(new Color(clear.color), clear.alpha);
      if (sync.activeCamera) renderer.render(scene, sync.activeCamera);
      else renderer.clear();
    }, { inSet: RenderSystems.draw });
    app.onExit(() => {
      sync.clear();
      if (renderer && !o.renderer) renderer.dispose();
    });
  }
}

/**
 * Follows the canvas' layout size (CSS pixels). A canvas that no CSS sizes
 * takes its layout size from its drawing buffer, which is the layout size
 * times the pixel ratio: at a ratio of 2 it would double every frame. Such a
 * canvas (its layout size is its buffer size while the ratio is not 1) gets
 * its CSS size pinned to the size the App has now (`width` × `height`).
 */
function resizeToCanvas(ctx: RenderContext, renderer: WebGLRenderer): void {
  const canvas = renderer.domElement;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (w > 0 && h > 0 && (w !== ctx.width || h !== ctx.height)) {
    if (renderer.getPixelRatio() !== 1 && w === canvas.width && h === canvas.height) {
      renderer.setSize(ctx.width, ctx.height, true);
      return;
    }
    ctx.width = w;
    ctx.height = h;
    renderer.setSize(w, h, false);
  }
}

/** Keeps the active camera's projection in step with the size. */
function updateAspect(ctx: RenderContext): void {
  const cam = ctx.sync.activeCamera;
  const aspect = ctx.width / ctx.height;
  if (cam instanceof PerspectiveCamera && cam.aspect !== aspect) {
    cam.aspect = aspect;
    cam.updateProjectionMatrix();
  } else if (cam instanceof OrthographicCamera && cam.userData.fitAspect === true) {
    const halfH = (cam.top - cam.bottom) / 2;
    if (Math.abs((cam.right - cam.left) / 2 - halfH * aspect) > 1e-6) {
      cam.left = -halfH * aspect;
      cam.right = halfH * aspect;
      cam.updateProjectionMatrix();
    }
  }
}
