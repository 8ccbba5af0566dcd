/** The demo's vite config: `npm start` (dev), `npm run build`, `npm run preview`. */
import { defaultClientConditions, defaultServerConditions, defineConfig } from 'vite';
import { ltask } from '@ltask-web/plugin-ltask/vite';

/**
 * Inside this repository the packages resolve to their TypeScript sources (the
 * "ltask-source" export condition); users get the built dist/ files.
 */
const SOURCE = 'ltask-source';

export default defineConfig({
  plugins: [ltask()],
  // 'mpa': a missing file is a 404, not the index page (services are fetched by path).
  appType: 'mpa',
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions], externalConditions: [SOURCE, 'node'] } },
  optimizeDeps: {
    include: [
      'three',
      'three/examples/jsm/loaders/GLTFLoader.js',
      'gltfpack',
      'wa-sqlite',
      'wa-sqlite/dist/wa-sqlite.mjs',
      'wa-sqlite/src/VFS.js',
      'inkjs/full',
      'meshoptimizer',
    ],
  },
  build: {
    target: 'es2022',
    rolldownOptions: { input: { main: 'index.html', cube: 'examples/spinning-cube/index.html' } },
  },
});
