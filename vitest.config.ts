import { defineConfig } from 'vitest/config';

// Unit, integration and end-to-end tests. Tests that need the RISC-V cross toolchain or QEMU
// are named *.toolchain.test.ts and run under vitest.toolchain.config.ts instead.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/**/*.toolchain.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
