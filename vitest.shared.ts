// One vitest setup for every workspace: each package's vitest.config.ts is
// `export default sharedConfig(import.meta.dirname)`, so reporters, timeouts and
// the JSON report that scripts/test.ts sums up stay identical everywhere.
import { defineConfig } from 'vitest/config';

export function sharedConfig(_dir: string, options: { testTimeout?: number } = {}) {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'infra/**/*.test.ts', 'e2e/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 120_000,
      reporters: ['default', 'json'],
      outputFile: { json: '.reports/vitest.json' },
      // Suites that start real servers must not compete for the two cores.
      fileParallelism: false,
    },
  });
}
