import { defineConfig } from 'vitest/config'

export default defineConfig({
  // In this repository `streamline` is a symlink (file:../..). Keeping the node_modules path makes
  // Vitest load it with Node as it loads an installed package, instead of transforming the broker's
  // source files one by one. No effect on a package installed from the registry.
  resolve: { preserveSymlinks: true },
  test: {
    // Each test file runs in its own child process with its own broker (the default pool).
    pool: 'forks',
    // Room for a consumer group's first join on a busy machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
