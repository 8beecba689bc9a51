import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Each test file runs in its own child process with its own broker (the default pool).
    pool: 'forks',
    // Room for a consumer group's first join on a busy machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
