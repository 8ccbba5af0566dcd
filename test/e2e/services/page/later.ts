// A service whose handler imports a module on first use (a dynamic import).
import { defineService } from '@ltask-web/plugin-ltask/service';

export default defineService(() => ({
  async weigh(n: number) {
    const { weighed } = await import('./later_part.ts');
    return weighed(n);
  },
}));
