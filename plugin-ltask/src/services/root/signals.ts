/**
 * What root does when a service ends (its SIGNAL, with the failure when it
 * failed): the registry forgets it, its row becomes reusable, its restart
 * policy applies, and the exit rule is checked. A root that replaces one that
 * died with worker 0 also settles here what happened while there was none.
 */
import { Address, ServiceState } from '../../wire/protocol.ts';
import { ServiceTable } from '../../wire/table.ts';
import { endIfIdle } from './exit.ts';
import type { Root } from './state.ts';
import { restart } from './supervise.ts';

/** A service ended (`failure` when it failed): the registry forgets it. */
export function ended(r: Root, source: number, failure?: string): void {
  r.anonymous.delete(source);
  if (source >= Address.FIRST_FREE) r.freeRows.push(ServiceTable.index(source));
  if (r.supervised.has(source)) {
    if (failure !== undefined) restart(r, source, failure);
    else r.supervised.delete(source);
  }
  for (const local of r.locals.values()) {
    for (const [w, p] of local.by) void p.then((a) => a === source && local.by.delete(w), () => {});
  }
  for (const [name, addr] of r.named) if (addr === source) r.named.delete(name);
  endIfIdle(r);
}

/**
 * A root that replaces one that died with worker 0: the local services'
 * instances come back from the names, and services that ended meanwhile on
 * other workers (their SIGNALs found no root) are forgotten now. Those of
 * worker 0 are signalled by the host, with the cause (restart policies apply).
 */
export function recover(r: Root): void {
  const { table } = r.sys;
  for (const [name, options] of r.localOptions) {
    const by = new Map<number, Promise<number>>();
    for (const [key, addr] of r.named) if (key === name || key.startsWith(`${name}@`)) by.set(table.worker(addr), Promise.resolve(addr));
    r.locals.set(name, { options, by });
  }
  const known = new Set([...r.anonymous.keys(), ...r.named.values(), ...r.supervised.keys()]);
  for (const a of known) if (a >= Address.FIRST_FREE && table.state(a) === ServiceState.DEAD && table.worker(a) !== 0) ended(r, a);
}
