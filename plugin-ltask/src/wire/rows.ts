/**
 * The rows of `inspect`, read from the shared service table. Root answers
 * inspect with them, and the host builds them itself when root does not answer
 * in time: one builder, so both show a service under the same label and kind.
 */
import { Address, SYSTEM_SERVICES, ServiceState, stateName, type ServiceInfo } from './protocol.ts';
import type { ServiceTable } from './table.ts';

/** What the table does not hold about a service: how it was spawned. */
export interface RowLabel {
  label: string;
  kind: 'lua' | 'ts';
}

/** How {@link serviceRows} reads the table. */
export interface RowOptions {
  /** Dead services too (those of the table's rows not yet reused). */
  all?: boolean;
  /** The label and kind of the service at `addr`, where the caller knows them. */
  known(addr: number): RowLabel | undefined;
  /**
   * The service that builds the rows (root): it is running this very inspect,
   * which is not work to show (a stats poll would make it look always busy).
   */
  self?: number;
  /** Marks every row as read from the table alone (root did not answer). */
  fromTable?: boolean;
}

/**
 * One row per service in the table (not dead unless `all`). A service the
 * caller knows nothing of is labelled by its fixed name (root, logger, timer)
 * or `?`, and is a TypeScript service below `Address.FIRST_FREE`, Lua above.
 */
export function serviceRows(table: ServiceTable, o: RowOptions): ServiceInfo[] {
  const rows: ServiceInfo[] = [];
  for (const a of table.addresses()) {
    const st = table.state(a);
    if (st === ServiceState.UNUSED || (!o.all && st === ServiceState.DEAD)) continue;
    const known = o.known(a);
    const queue = table.queue(a);
    rows.push({
      address: a,
      label: known?.label ?? SYSTEM_SERVICES.find((x) => x.address === a)?.name ?? '?',
      kind: known?.kind ?? (a < Address.FIRST_FREE ? 'ts' : 'lua'),
      worker: table.worker(a),
      state: a === o.self && st === ServiceState.RUNNING ? (queue > 0 ? 'ready' : 'idle') : stateName(st),
      queue,
      handled: table.handled(a),
      cpuMs: Math.round(table.cpuMs(a) * 1000) / 1000,
      ...(o.fromTable ? { fromTable: true } : {}),
    });
  }
  return rows;
}
