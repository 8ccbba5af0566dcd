/**
 * What the App shares with the NPC services (LtaskPlugin's `world` option):
 * `Transform`, the `Npc` component (written by each NPC's service every tick),
 * the `Player` tag on the player's body (NPCs read its Transform), the
 * `npc.guard` / `npc.villager` / `npc.critter` prefabs services spawn, the
 * `Caught` event guards emit, and the engine's `StateChanged` events, which
 * NPCs follow (they stand still while the `Game` state is not `playing`; an
 * App that uses `npcWorld` registers the event, with `StatePlugin(Flow)` or
 * `addEvent(StateChanged)`). No DOM here: tests build the same world in Node.
 *
 * An NPC is a root entity on the ground (Transform + Npc, no mesh: its service
 * writes x, z and the facing) with its parts as children: the body (whose
 * visor is its child) and the blob shadow. One Transform write moves them all;
 * despawning the root takes the parts with it.
 */
import { BoxGeometry, CapsuleGeometry, Color, MeshLambertMaterial, SphereGeometry } from 'three';
import { MAX_ENTITIES, StateChanged, Transform, addComponent, defineEvent, mesh, setParent, spawn, transform, type EntityId, type World } from '@ltask-web/engine';
import type { LtaskWorldOptions } from '@ltask-web/plugin-ltask/engine';
import type { NpcKind, NpcState } from './data.ts';
import { materials, shapes } from './scene.ts';

/** `Npc.kind` values (npc.lua's KIND). */
export const NPC_KINDS: readonly NpcKind[] = ['guard', 'villager', 'critter'];
/** `Npc.state` values (npc.lua's STATE). */
export const NPC_STATES: readonly NpcState[] = ['patrol', 'chase', 'flee', 'talk', 'idle'];

/**
 * One NPC, written by its service (SoA, indexed by entity): its `npcs` row id,
 * kind and state (indices into NPC_KINDS / NPC_STATES), its ticks so far, the
 * real time (ms) between its last two ticks, whether it moved in its last tick,
 * and the world load (`director.start`'s epoch) it belongs to.
 */
export const Npc = {
  id: new Int32Array(MAX_ENTITIES),
  kind: new Int32Array(MAX_ENTITIES),
  state: new Int32Array(MAX_ENTITIES),
  ticks: new Int32Array(MAX_ENTITIES),
  gap: new Float32Array(MAX_ENTITIES),
  moving: new Int32Array(MAX_ENTITIES),
  epoch: new Int32Array(MAX_ENTITIES),
};

/** Tag: the player's body (NPCs find it with `world.query("Player", "Transform")`). */
export const Player = {};

/** A guard reached the player (npc.lua emits it at most once per 3 s per guard). */
export const Caught = defineEvent<{ id: number; epoch: number }>('Caught');

/** An NPC root's parts (page-side, not shared): set by its prefab. */
export const NpcParts = {
  body: new Int32Array(MAX_ENTITIES),
  shadow: new Int32Array(MAX_ENTITIES),
  /** -1: none (critters). */
  visor: new Int32Array(MAX_ENTITIES),
};

/** Looks per kind: body colour, scale and half height. */
export const KIND_STYLE: Record<NpcKind, { color: number; scale: number; height: number }> = {
  guard: { color: 0xd64045, scale: 1.08, height: 0.6 },
  villager: { color: 0x3fa7a0, scale: 0.95, height: 0.55 },
  critter: { color: 0xe9a23b, scale: 0.55, height: 0.3 },
};

/** Height of the body's centre above the ground (before its hop). */
export const bodyY = (kind: NpcKind): number => KIND_STYLE[kind].height * KIND_STYLE[kind].scale + 0.05;

const bodies: Record<NpcKind, CapsuleGeometry | SphereGeometry> = {
  guard: new CapsuleGeometry(0.3, 0.55, 4, 12),
  villager: new CapsuleGeometry(0.28, 0.45, 4, 12),
  critter: new SphereGeometry(0.5, 12, 8),
};
export const bodyMaterials: Record<NpcKind, MeshLambertMaterial> = {
  guard: new MeshLambertMaterial({ color: KIND_STYLE.guard.color }),
  villager: new MeshLambertMaterial({ color: KIND_STYLE.villager.color }),
  critter: new MeshLambertMaterial({ color: KIND_STYLE.critter.color }),
};
/** A chasing guard glows. */
export const chaseMaterial = new MeshLambertMaterial({ color: 0xff5a4f, emissive: new Color(0x7a0d0d) });
/** The dark band on a guard's or villager's face: shows where it looks (it turns as it walks). */
const visorGeometry = new BoxGeometry(0.32, 0.11, 0.14);

/** The prefab of one kind: the root gets Transform and Npc; body (with its visor) and shadow become its children. */
function npcPrefab(kind: NpcKind): (world: World, eid: EntityId) => void {
  const style = KIND_STYLE[kind];
  return (world, root) => {
    transform()(world, root);
    addComponent(world, root, Npc);
    addComponent(world, root, NpcParts);
    Npc.kind[root] = NPC_KINDS.indexOf(kind);
    const body = spawn(world, mesh(bodies[kind], bodyMaterials[kind]), transform({ position: [0, bodyY(kind), 0], scale: style.scale }));
    setParent(world, body, root);
    const shadow = spawn(world, mesh(shapes.blob, materials.shadows), transform({ position: [0, 0.016, 0], scale: 0.45 * style.scale }));
    setParent(world, shadow, root);
    let visor = -1;
    if (kind !== 'critter') {
      // In the body's frame (its scale applies): on the face, towards the root's -z.
      visor = spawn(world, mesh(visorGeometry, materials.visor), transform({ position: [0, 0.22, -0.23] }));
      setParent(world, visor, body);
    }
    NpcParts.body[root] = body;
    NpcParts.shadow[root] = shadow;
    NpcParts.visor[root] = visor;
  };
}

/** LtaskPlugin's `world` option for the game. */
export const npcWorld: LtaskWorldOptions = {
  components: { Transform, Npc, Player },
  prefabs: { 'npc.guard': npcPrefab('guard'), 'npc.villager': npcPrefab('villager'), 'npc.critter': npcPrefab('critter') },
  eventsIn: [StateChanged],
  eventsOut: [Caught],
  reserve: 64,
};
