// The soak's worker crash: ends its worker's thread (supervision replaces it).
import type { ServiceFactory } from '@ltask-web/plugin-ltask';

const crasher: ServiceFactory = () => ({
  crash() {
    setTimeout(() => process.exit(9), 0);
    return true;
  },
});
export default crasher;
