// States (bevy `States`): the current value as a resource, OnEnter / OnExit /
// OnTransition at StateTransition (after PreUpdate), inState, scoped entities.
import { describe, expect, it } from 'vitest';
import {
  App, MinimalPlugins, OnEnter, OnExit, OnTransition, PreUpdate, StatePlugin, StateTransition, Transform, Update,
  defineState, entityExists, inState, setParent, spawn, stateScoped, transform, type SystemContext,
} from '@ltask-web/engine';

const Game = defineState('Game', 'title', ['title', 'playing', 'won']);

describe('states', () => {
  it('enter the initial value in the first frame; a change asked for in Update happens at the next StateTransition, in order', () => {
    const log: string[] = [];
    const a = new App().addPlugins(MinimalPlugins, new StatePlugin(Game));
    expect(a.mainSchedules().indexOf(StateTransition)).toBe(a.mainSchedules().indexOf(PreUpdate) + 1);
    a.addSystems(OnEnter(Game, 'title'), () => void log.push('enter title'));
    a.addSystems(OnExit(Game, 'title'), () => void log.push('exit title'));
    a.addSystems(OnTransition(Game, 'title', 'playing'), () => void log.push('title->playing'));
    a.addSystems(OnEnter(Game, 'playing'), ({ resource }: SystemContext) => void log.push(`enter playing (previous ${resource(Game).previous})`));
    a.addSystems(Update, () => void log.push('update title'), { runIf: inState(Game, 'title') });
    a.addSystems(Update, () => void log.push('update playing'), { runIf: inState(Game, 'playing') });
    a.addSystems(Update, function start({ resource, app: port }: SystemContext) {
      if (port.frame === 1) resource(Game).set('playing');
    });
    a.update(1 / 60);
    a.update(1 / 60);
    expect(a.resource(Game).next).toBe('playing');
    a.update(1 / 60);
    expect(log).toEqual(['enter title', 'update title', 'update title', 'exit title', 'title->playing', 'enter playing (previous title)', 'update playing']);
    expect(a.resource(Game).current).toBe('playing');
    log.length = 0;
    a.resource(Game).set('playing'); // the value it has: nothing happens
    a.update(1 / 60);
    expect(log).toEqual(['update playing']);
  });

  it('entities scoped to a state are despawned, with their children, when it is left', () => {
    const a = new App().addPlugins(MinimalPlugins, new StatePlugin(Game, 'playing'));
    a.update(1 / 60);
    const level = spawn(a.world, transform(), stateScoped(Game, 'playing'));
    const child = spawn(a.world, transform());
    setParent(a.world, child, level);
    const menu = spawn(a.world, transform(), stateScoped(Game, 'title'));
    const keep = spawn(a.world, transform());
    a.resource(Game).set('won');
    a.update(1 / 60);
    expect(entityExists(a.world, level)).toBe(false);
    expect(entityExists(a.world, child)).toBe(false);
    expect(entityExists(a.world, menu)).toBe(true);
    expect(entityExists(a.world, keep)).toBe(true);
    void Transform;
  });

  it('refuses values the state does not have', () => {
    expect(() => defineState('Bad', 'x' as 'a', ['a'])).toThrow(/initial value "x" is not one of a/);
    const a = new App().addPlugins(MinimalPlugins, new StatePlugin(Game));
    expect(() => a.resource(Game).set('lost' as 'won')).toThrow(/Game: "lost" is not one of title, playing, won/);
  });
});
