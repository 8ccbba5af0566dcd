/**
 * The look: shared materials (one per kind of chunk mesh, so a world is a few
 * hundred draw calls at most), lights, fog matching the sky, the sea under the
 * floating chunks, the camera, and a world's palette applied to all of them.
 * No shadow map: blob shadows (a soft dark disc texture) under props, player
 * and NPCs, and corner shading baked into the ground's vertex colours.
 */
import {
  AdditiveBlending, CanvasTexture, DoubleSide, CircleGeometry, Color, DirectionalLight, Fog, HemisphereLight, MeshBasicMaterial, MeshLambertMaterial,
  PerspectiveCamera, PlaneGeometry, type Texture,
} from 'three';
import { ClearColor, RenderContext, camera, light, mesh, spawn, transform, type SystemContext } from '@ltask-web/engine';
import { DEFAULT_PALETTE, type Palette } from './terrain.ts';

/** A soft radial texture: `inner` alpha at the centre fading to 0 at the rim. */
function radial(stops: [number, string][]): Texture {
  const size = 64;
  if (typeof document === 'undefined') return new CanvasTexture();
  const c = document.createElement('canvas');
  c.width = c.height = size;
  const g = c.getContext('2d')!;
  const grad = g.createRadialGradient(size / 2, size / 2, 0, size / 2, size / 2, size / 2);
  for (const [at, color] of stops) grad.addColorStop(at, color);
  g.fillStyle = grad;
  g.fillRect(0, 0, size, size);
  return new CanvasTexture(c);
}

/** A vertical fade (bright at the bottom), for the gate's beam of light. */
function fade(): Texture {
  if (typeof document === 'undefined') return new CanvasTexture();
  const c = document.createElement('canvas');
  c.width = 4;
  c.height = 64;
  const g = c.getContext('2d')!;
  const grad = g.createLinearGradient(0, 64, 0, 0);
  grad.addColorStop(0, 'rgba(255,255,255,0.9)');
  grad.addColorStop(0.25, 'rgba(255,255,255,0.3)');
  grad.addColorStop(0.7, 'rgba(255,255,255,0.05)');
  grad.addColorStop(1, 'rgba(255,255,255,0)');
  g.fillStyle = grad;
  g.fillRect(0, 0, 4, 64);
  return new CanvasTexture(c);
}

const shadowTexture = radial([[0, 'rgba(0,0,0,0.5)'], [0.55, 'rgba(0,0,0,0.32)'], [1, 'rgba(0,0,0,0)']]);
const poolTexture = radial([[0, 'rgba(255,205,120,0.55)'], [0.5, 'rgba(255,180,90,0.2)'], [1, 'rgba(255,160,60,0)']]);

/** Materials shared by every chunk and entity of a kind. */
export const materials = {
  land: new MeshLambertMaterial({ vertexColors: true }),
  water: new MeshLambertMaterial({ color: 0xffffff, vertexColors: true, transparent: true, opacity: 0.82, emissive: new Color(0x0b2a44), depthWrite: false }),
  props: new MeshLambertMaterial({ vertexColors: true }),
  glow: new MeshBasicMaterial({ vertexColors: true, fog: true }),
  pools: new MeshBasicMaterial({ map: poolTexture, transparent: true, depthWrite: false, blending: AdditiveBlending }),
  shadows: new MeshBasicMaterial({ map: shadowTexture, transparent: true, depthWrite: false, color: 0x000000, polygonOffset: true, polygonOffsetFactor: -1 }),
  sea: new MeshBasicMaterial({ color: 0x1d3b53 }),
  coin: new MeshLambertMaterial({ color: 0xffc933, emissive: new Color(0x7a5200) }),
  player: new MeshLambertMaterial({ color: 0xffb347, emissive: new Color(0x331800) }),
  visor: new MeshLambertMaterial({ color: 0x233047 }),
  gate: new MeshLambertMaterial({ color: 0xb9b4a8 }),
  portalClosed: new MeshBasicMaterial({ color: 0x5a3d7a, transparent: true, opacity: 0.55, depthWrite: false }),
  portalOpen: new MeshBasicMaterial({ color: 0x8ff5ff, transparent: true, opacity: 0.85, depthWrite: false }),
  beam: new MeshBasicMaterial({ color: 0x8ff5ff, map: fade(), transparent: true, opacity: 0.4, depthWrite: false, blending: AdditiveBlending, side: DoubleSide, fog: false }),
  marker: new MeshBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.7, depthWrite: false }),
};

/** Shared geometries of small things. */
export const shapes = {
  /** A blob shadow of radius 1 (scale it). */
  blob: new CircleGeometry(1, 20).rotateX(-Math.PI / 2),
  /** The click-to-walk target ring. */
  ring: new CircleGeometry(0.3, 20).rotateX(-Math.PI / 2),
};

/** The scene's lights, fog and camera: what a palette changes. */
export class Look {
  palette: Palette = DEFAULT_PALETTE;
  hemi = new HemisphereLight(0xffffff, 0x445533, 1.6);
  sun = new DirectionalLight(0xfff1d6, 1.9);
  fog = new Fog(0xa9d6f5, 26, 52);
  camera = new PerspectiveCamera(45, 16 / 9, 0.5, 140);
  cameraEid = -1;
}

/** Startup: lights, camera and the sea below the chunks. */
export function setupScene({ world, resource }: SystemContext): void {
  const look = resource(Look);
  spawn(world, light(look.hemi), transform());
  spawn(world, light(look.sun), transform({ position: [-6, 14, 8] }));
  look.cameraEid = spawn(world, camera(look.camera), transform({ position: [0, 14, 12] }));
  const sea = new PlaneGeometry(600, 600).rotateX(-Math.PI / 2);
  spawn(world, mesh(sea, materials.sea), transform({ position: [0, -1.6, 0] }));
  const ctx = resource(RenderContext);
  ctx.scene.fog = look.fog;
  applyPalette(resource(Look), resource(ClearColor), DEFAULT_PALETTE);
}

/** Sky, fog, light and sea colours from a world's palette. */
export function applyPalette(look: Look, clear: ClearColor, p: Palette): void {
  look.palette = p;
  const sky = new Color(p.sky);
  clear.color = sky.getHex();
  look.fog.color.copy(sky);
  look.hemi.color.copy(sky).lerp(new Color(0xffffff), 0.55);
  look.hemi.groundColor.copy(new Color(p.ground)).multiplyScalar(0.5);
  materials.sea.color.copy(new Color(p.water)).lerp(sky, 0.45).multiplyScalar(0.72);
  materials.water.emissive.copy(new Color(p.water)).multiplyScalar(0.18);
}
