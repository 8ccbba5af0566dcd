// ESLint over the packages, the game and the examples: typescript-eslint's
// recommended type-aware rules (floating promises, misused promises, unsafe
// any...). `npm test` runs it (`npm run lint`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'public/**', '**/*.d.ts'] },
  {
    files: ['engine/src/**/*.ts', 'plugin-ltask/src/**/*.ts', 'game/**/*.ts', 'examples/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
);
