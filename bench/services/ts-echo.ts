/** The server side of the TypeScript benches: echoes, counts one-way sends. */
import type { ServiceFactory } from '@ltask-web/plugin-ltask';

const factory: ServiceFactory = () => {
  let n = 0;
  return {
    ping: (...a: unknown[]) => a[0],
    count() {
      n++;
    },
    /** How many `count` sends arrived since the last take; resets. */
    take() {
      const r = n;
      n = 0;
      return r;
    },
  };
};
export default factory;
