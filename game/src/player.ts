/**
 * The player: the `move` action (WASD / arrow keys, a pad's left stick or
 * d-pad; flow.ts), or click / tap on the ground to walk there,
 * sliding along blocked tiles and props; unloaded chunks are walls. The camera
 * follows from above and behind; before play it circles the spawn slowly.
 */
import { CapsuleGeometry, BoxGeometry, Matrix4, Quaternion, Raycaster, Vector2, Vector3, Plane } from 'three';
import { Hidden, Time, addComponent, mesh, removeComponent, setPosition, setRotation, spawn, transform, type SystemContext } from '@ltask-web/engine';
import { ChunkStream } from './chunks.ts';
import { Controls } from './flow.ts';
import { Player } from './npc-world.ts';
import { Look, materials, shapes } from './scene.ts';

/** Player radius (world units) against walls. */
export const PLAYER_R = 0.28;
/** Tiles per second. */
export const SPEED = 5.5;

/** The player's entities and where it is (world units; tile (tx, tz) spans [tx, tx + 1)). */
export class PlayerState {
  body = -1;
  visor = -1;
  shadow = -1;
  ring = -1;
  x = 0;
  z = 0;
  /** Facing angle (radians around Y; 0: towards -z). */
  facing = Math.PI;
  /** Click / tap target, if walking to one. */
  target: { x: number; z: number } | null = null;
  /** Whether it moved this frame (bobbing). */
  moving = false;
  /** Seconds of walking (bob phase). */
  walk = 0;
  /** Whether input moves the player (set by the rules: playing, not talking). */
  controllable = false;
  /** Screen positions clicked since the last frame (CSS pixels in the canvas). */
  readonly clicks: { x: number; y: number }[] = [];
  /** Time a blocked walk-to has been stuck (s). */
  stuck = 0;

  /** Puts the player at a world position (e.g. the spawn), facing the camera. */
  place(x: number, z: number): void {
    this.x = x;
    this.z = z;
    this.target = null;
  }
}

/** Startup: the player's body (tagged `Player`), visor (shows where it faces), blob shadow and walk-to ring. */
export function spawnPlayer({ world, resource }: SystemContext): void {
  const p = resource(PlayerState);
  // Tagged Player: the NPC services read its Transform (the world bridge shares both).
  p.body = spawn(world, mesh(new CapsuleGeometry(0.27, 0.5, 4, 12), materials.player), transform({ position: [0, 0.55, 0] }), Player);
  p.visor = spawn(world, mesh(new BoxGeometry(0.34, 0.12, 0.16), materials.visor), transform({ position: [0, 0.8, 0] }));
  p.shadow = spawn(world, mesh(shapes.blob, materials.shadows), transform({ position: [0, 0.015, 0], scale: 0.42 }));
  p.ring = spawn(world, mesh(shapes.ring, materials.marker), transform({ position: [0, 0.03, 0] }));
}

const ray = new Raycaster();
const ground = new Plane(new Vector3(0, 1, 0), 0);
const hit = new Vector3();

/** Update: the `move` action and clicks move the player; collisions slide along walls. */
export function movePlayer({ resource }: SystemContext): void {
  const p = resource(PlayerState);
  const move = resource(Controls).axis('move');
  const dt = Math.min(resource(Time).delta, 0.1);
  const stream = resource(ChunkStream);
  const look = resource(Look);
  p.moving = false;
  // Clicks: a ray from the camera to the ground.
  for (const c of p.clicks.splice(0)) {
    if (!p.controllable) continue;
    const canvas = document.getElementById('view');
    if (!canvas) continue;
    const ndc = new Vector2((c.x / canvas.clientWidth) * 2 - 1, -(c.y / canvas.clientHeight) * 2 + 1);
    look.camera.updateMatrixWorld();
    ray.setFromCamera(ndc, look.camera);
    if (ray.ray.intersectPlane(ground, hit)) {
      p.target = { x: hit.x, z: hit.z };
      p.stuck = 0;
    }
  }
  if (!p.controllable) {
    p.target = null;
    return;
  }
  // Up on the stick or W: away from the camera (-z).
  let dx = move.x;
  let dz = -move.y;
  if (dx !== 0 || dz !== 0) p.target = null;
  else if (p.target) {
    const tx = p.target.x - p.x;
    const tz = p.target.z - p.z;
    const d = Math.hypot(tx, tz);
    if (d < 0.08) p.target = null;
    else {
      dx = tx / d;
      dz = tz / d;
      if (d < SPEED * dt) {
        dx *= d / (SPEED * dt);
        dz *= d / (SPEED * dt);
      }
    }
  }
  if (dx === 0 && dz === 0) return;
  const len = Math.max(1, Math.hypot(dx, dz));
  const step = SPEED * dt;
  const nx = p.x + (dx / len) * step;
  const nz = p.z + (dz / len) * step;
  const x0 = p.x;
  const z0 = p.z;
  // Slide along walls: both axes, else each one.
  if (stream.free(nx, nz, PLAYER_R)) {
    p.x = nx;
    p.z = nz;
  } else if (stream.free(nx, p.z, PLAYER_R)) p.x = nx;
  else if (stream.free(p.x, nz, PLAYER_R)) p.z = nz;
  const moved = Math.hypot(p.x - x0, p.z - z0);
  if (moved > 1e-4) {
    p.moving = true;
    p.walk += dt;
    p.facing = Math.atan2(-(p.x - x0), -(p.z - z0));
  }
  if (p.target && moved < step * 0.2) {
    p.stuck += dt;
    if (p.stuck > 0.25) p.target = null;
  }
}

const q = new Quaternion();
const up = new Vector3(0, 1, 0);

/** Update (after movement): body, visor, shadow and ring follow the player's position. */
export function placePlayer({ world, resource }: SystemContext): void {
  const p = resource(PlayerState);
  const bob = p.moving ? Math.abs(Math.sin(p.walk * 11)) * 0.09 : 0;
  setPosition(p.body, p.x, 0.55 + bob, p.z);
  const lean = p.moving ? 0.12 : 0;
  q.setFromAxisAngle(up, p.facing).multiply(new Quaternion().setFromAxisAngle(new Vector3(1, 0, 0), -lean));
  setRotation(p.body, q.x, q.y, q.z, q.w);
  // The visor sits on the face, 0.2 in front of the body's axis.
  const fx = -Math.sin(p.facing) * 0.2;
  const fz = -Math.cos(p.facing) * 0.2;
  setPosition(p.visor, p.x + fx, 0.84 + bob, p.z + fz);
  q.setFromAxisAngle(up, p.facing);
  setRotation(p.visor, q.x, q.y, q.z, q.w);
  setPosition(p.shadow, p.x, 0.015, p.z);
  if (p.target) {
    removeComponent(world, p.ring, Hidden);
    setPosition(p.ring, p.target.x, 0.03, p.target.z);
  } else addComponent(world, p.ring, Hidden);
}

/** How the camera behaves: `follow` the player, or `orbit` a point (title screen). */
export class CameraRig {
  mode: 'orbit' | 'follow' = 'orbit';
  /** Orbit centre. */
  cx = 0;
  cz = 0;
  /** Smoothed position. */
  x = 0;
  y = 14;
  z = 12;
  /** Smoothed look-at point. */
  lx = 0;
  lz = 0;
  snap = true;
}

const m4 = new Matrix4();
const eye = new Vector3();
const target = new Vector3();

/** Update: the camera follows (angled third person) or circles the spawn. */
export function moveCamera({ resource }: SystemContext): void {
  const rig = resource(CameraRig);
  const p = resource(PlayerState);
  const look = resource(Look);
  const time = resource(Time);
  const dt = Math.min(time.delta, 0.1);
  let ex: number;
  let ey: number;
  let ez: number;
  let lx: number;
  let lz: number;
  if (rig.mode === 'orbit') {
    const a = time.elapsed * 0.12;
    lx = rig.cx;
    lz = rig.cz;
    ex = rig.cx + Math.sin(a) * 15;
    ez = rig.cz + Math.cos(a) * 15;
    ey = 12;
  } else {
    lx = p.x;
    lz = p.z - 1;
    ex = p.x;
    ey = 13;
    ez = p.z + 10;
  }
  const k = rig.snap ? 1 : 1 - Math.exp(-dt * 6);
  rig.snap = false;
  rig.x += (ex - rig.x) * k;
  rig.y += (ey - rig.y) * k;
  rig.z += (ez - rig.z) * k;
  rig.lx += (lx - rig.lx) * k;
  rig.lz += (lz - rig.lz) * k;
  eye.set(rig.x, rig.y, rig.z);
  target.set(rig.lx, 0, rig.lz);
  m4.lookAt(eye, target, up);
  q.setFromRotationMatrix(m4);
  setPosition(look.cameraEid, rig.x, rig.y, rig.z);
  setRotation(look.cameraEid, q.x, q.y, q.z, q.w);
}
