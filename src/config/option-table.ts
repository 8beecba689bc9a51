// The option table of the CLI's quick path (quick-load.ts), computed from the schema. scripts/bundle.ts
// calls this at build time and writes the result into the bundle; tests call it to compare both paths.

import { optionLeaves } from './options.ts'
import type { OptionTable } from './quick-load.ts'
import { defaultConfig } from './schema.ts'

export function optionTableOf(): OptionTable {
  return { leaves: [...optionLeaves], defaults: defaultConfig }
}
