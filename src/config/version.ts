// The version of this Streamline, read once from the package.json above this file (src/ when run
// from source, dist/src/ when built).

import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth += 1) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        name?: unknown
        version?: unknown
      }
      if (manifest.name === 'streamline' && typeof manifest.version === 'string') return manifest.version
    } catch {
      // no package.json at this level: look one level up
    }
    directory = dirname(directory)
  }
  return '0.0.0-unknown'
}

export const streamlineVersion: string = findVersion()
