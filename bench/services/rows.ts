// A TypeScript service for bench/messages.bench.ts: takes a list of rows and gives it back.
import type { ServiceFactory } from '@ltask-web/plugin-ltask';

const rows: ServiceFactory = () => {
  let held: unknown[] = [];
  return {
    keep(list: unknown[]) {
      held = list;
      return list.length;
    },
    give: () => held,
  };
};
export default rows;
