import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{sdk,sequencer,prover,scripts,circuits,cli,e2e}/**/*.test.ts'],
    // snarkjs needs isMainThread inside worker threads (TOOLCHAIN.md); forks avoid that trap for proofs.
    pool: 'forks',
    globalSetup: ['./vitest.globalSetup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
})
