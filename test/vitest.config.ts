import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../vitest.shared.ts';

export default mergeConfig(
  sharedConfig(import.meta.dirname),
  defineConfig({ test: { globalSetup: ['./infra/global-setup.ts'], testTimeout: 120_000 } }),
);
