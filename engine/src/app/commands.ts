/**
 * Deferred world changes (bevy `Commands`). Systems queue spawns, inserts,
 * removals and despawns; the App applies the queue at the end of each schedule
 * run, so queries inside one schedule see a stable world.
 */
import { addEntity, entityExists, MAX_ENTITIES, removeComponent, removeEntity, insert } from '../ecs/index.ts';
import type { Bundle, EntityId, World } from '../ecs/index.ts';

/** A custom deferred command. */
export type Command = (world: World) => void;

/**
 * A queue of world changes applied at the end of the current schedule.
 * @example
 * ```ts
 * const bullet = ctx.commands.spawn(Bullet, transform({ position: [x, y, 0] }));
 * ctx.commands.despawn(target);
 * ```
 */
export class Commands {
  private queue: Command[] = [];

  /** @param world the world the commands will change */
  constructor(private readonly world: World) {}

  /** Number of queued commands. */
  get length(): number {
    return this.queue.length;
  }

  /**
   * Reserves an entity id now and adds the bundles when commands apply. Until
   * then the entity has no components, so no query sees it.
   */
  spawn(...bundles: readonly Bundle[]): EntityId {
    const eid = addEntity(this.world);
    if (eid >= MAX_ENTITIES) {
      removeEntity(this.world, eid);
      throw new Error(`[app] commands.spawn: entity ${eid} exceeds MAX_ENTITIES (${MAX_ENTITIES})`);
    }
    this.queue.push((world) => {
      if (entityExists(world, eid)) insert(world, eid, ...bundles);
    });
    return eid;
  }

  /** Adds bundles to an entity. */
  insert(eid: EntityId, ...bundles: readonly Bundle[]): this {
    this.queue.push((world) => {
      if (entityExists(world, eid)) insert(world, eid, ...bundles);
    });
    return this;
  }

  /** Removes components from an entity. */
  remove(eid: EntityId, ...components: readonly object[]): this {
    this.queue.push((world) => {
      if (entityExists(world, eid)) removeComponent(world, eid, ...components);
    });
    return this;
  }

  /** Removes an entity with all its components (a no-op if already gone). */
  despawn(eid: EntityId): this {
    this.queue.push((world) => {
      if (entityExists(world, eid)) removeEntity(world, eid);
    });
    return this;
  }

  /** Queues any function of the world. */
  add(command: Command): this {
    this.queue.push(command);
    return this;
  }

  /** Runs and clears the queue, in order. Commands queued meanwhile run too. */
  apply(): void {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const command of batch) command(this.world);
    }
  }
}
