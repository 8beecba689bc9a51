// The CLI's version: fixed into the bundle by scripts/bundle.ts (no file read at start); read from
// package.json when run from source.
import { readFileSync } from 'node:fs'

declare const STREAMLINE_CLI_VERSION: string | undefined

export function cliVersion(): string {
  if (typeof STREAMLINE_CLI_VERSION === 'string') return STREAMLINE_CLI_VERSION
  const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return packageJson.version
}
