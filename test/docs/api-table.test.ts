// Goal: the README's table of supported APIs says exactly what the handler registry serves.
// Method: regenerate the table from the registry and compare with README.md.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { it } from 'node:test'
import { readmePath, readmeWithFreshTable } from '../../scripts/gen-api-table.ts'

it('README API table is fresh (run `npm run gen:api-table` if this fails)', () => {
  const readme = readFileSync(readmePath, 'utf8')
  assert.equal(readme, readmeWithFreshTable(readme))
})
