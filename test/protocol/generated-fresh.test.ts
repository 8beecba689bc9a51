// Goal: the committed src/protocol/generated/ is exactly what the generator writes from the spec.
// Method: when the spec folder (../shared/kafka-spec) is present, generate in memory and compare
// every file; also that no stray file sits in generated/. Skipped, with a message, without the spec.

import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { it } from 'node:test'
import { defaultSpecDir, generatedDir, generateProtocolFiles } from '../../scripts/gen-protocol.ts'

const specPresent = existsSync(join(defaultSpecDir, 'messages'))

it('generated codecs match the spec (run `npm run gen:protocol` if this fails)', {
  skip: specPresent ? false : `no spec folder at ${defaultSpecDir}`,
}, () => {
  const files = generateProtocolFiles(defaultSpecDir)
  for (const [name, text] of files) {
    assert.equal(readFileSync(join(generatedDir, name), 'utf8'), text, `${name} is stale`)
  }
  assert.deepEqual(readdirSync(generatedDir).sort(), [...files.keys()].sort())
})
