import { defineConfig } from 'vitest/config';

// Tests that rebuild guest and test images with the Debian RISC-V cross toolchain and run them
// on QEMU (`qemu-system-riscv32`) as the reference. `.ci/run` installs both before running these.
export default defineConfig({
  test: {
    include: ['test/**/*.toolchain.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
  },
});
