/**
 * Resource keys. A resource is one value per App, found by a key: either the
 * class of the value (bevy-like, `app.resource(Time)`) or a token made with
 * `defineResource` for values that are not class instances.
 */

/** A typed token naming a resource that is not a class instance. */
export interface ResourceToken<T> {
  readonly name: string;
  readonly kind: 'resource';
  /** Only carries the type; never set. */
  readonly __type?: T;
}

/** A resource key: the value's class, or a token from `defineResource`. */
export type ResourceKey<T> = (abstract new (...args: never[]) => T) | ResourceToken<T>;

/**
 * Defines a token for a resource that is a plain value.
 * @example
 * ```ts
 * const Score = defineResource<{ points: number }>('Score');
 * app.insertResource(Score, { points: 0 });
 * ```
 */
export function defineResource<T>(name: string): ResourceToken<T> {
  return Object.freeze({ name, kind: 'resource' as const });
}

/** A readable name for a key, for error messages. */
export function keyName(key: { name: string }): string {
  return key.name || '<anonymous>';
}
