import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));

// Tests import the workspace packages by name; resolve them to their sources so
// that `vitest run` needs no build step. One rule covers every package:
//   @breakwater/<pkg>        -> packages/<pkg>/src/index.ts
//   @breakwater/<pkg>/<sub>  -> packages/<pkg>/src/<sub>/index.ts
// so a new package or subpath export needs no change here, provided its
// sources follow that layout.
const alias = [
  {
    find: /^@breakwater\/([a-z0-9-]+)$/,
    replacement: `${packages}$1/src/index.ts`,
  },
  {
    find: /^@breakwater\/([a-z0-9-]+)\/([a-z0-9-]+)$/,
    replacement: `${packages}$1/src/$2/index.ts`,
  },
];
export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: [
            'packages/*/test/**/*.test.ts',
            'test-support/**/*.test.ts',
            'examples/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/dist/**'],
          setupFiles: ['./test-support/release-ports.setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
