// Goal: docs/configuration.md names every dynamic broker config that has no effect here, and none of
// the applied ones as "no effect", so the list cannot drift from src/broker/broker-config's table.
// Method: read the "Dynamic broker configs" section and check each definition's name (or a wildcard
// such as `ssl.*` that covers it) appears in the paragraph for its effect.
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { dynamicConfigDefinitions } from '../../src/broker/broker-config/dynamic-definitions.ts'
import { repositoryRoot } from '../helpers/broker-process.ts'

function mentions(text: string, name: string): boolean {
  if (text.includes(`\`${name}\``)) return true
  const wildcards = [...text.matchAll(/`([a-z.]+)\.\*`/g)].map((match) => match[1])
  return wildcards.some((prefix) => name.startsWith(`${prefix}.`))
}

test('docs/configuration.md lists the dynamic broker configs without effect', async () => {
  const doc = await readFile(`${repositoryRoot}/docs/configuration.md`, 'utf8')
  const section = doc.slice(doc.indexOf('## Dynamic broker configs'), doc.indexOf('## State topics'))
  const noEffect = section.slice(
    section.indexOf('Stored and reported, with no effect here'),
    section.indexOf("`DescribeConfigs` follows Kafka's synonym rules"),
  )
  const applied = section.slice(section.indexOf('Applied at once:'), section.indexOf('Stored and reported'))
  for (const definition of dynamicConfigDefinitions.values()) {
    if (definition.effect === 'none') assert.ok(mentions(noEffect, definition.name), definition.name)
    else assert.ok(!noEffect.includes(`\`${definition.name}\``), `${definition.name} is applied`)
  }
  assert.ok(applied.includes('`log.retention.ms`'))
})
