// Goal: the route table and the docs agree: every route of route-table.ts is listed in
// docs/schema-registry.md, and no route is listed twice in the table. Method: read both.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { registryRoutes } from './route-table.ts'

test('every route is documented once', () => {
  const docs = readFileSync(join(import.meta.dirname, '../../docs/schema-registry.md'), 'utf8')
  const seen = new Set<string>()
  for (const route of registryRoutes) {
    const key = `${route.method} ${route.path}`
    assert.ok(!seen.has(key), `${key} twice in the table`)
    seen.add(key)
    assert.ok(docs.includes(`| \`${route.method}\` | \`${route.path}\` |`), `${key} missing from the docs`)
  }
})
