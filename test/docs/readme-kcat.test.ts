// Goal: the kcat commands of the README's quick start work as written.
// Method: the `kcat …` lines of README.md are extracted and run in order by a shell against the real
// broker process (the CLI), with 127.0.0.1:9092 replaced by its port; the output of the consume
// command must be what the README's comment says.

import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, it } from 'node:test'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { requireClient } from '../helpers/clients.ts'

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8')
const kcatLines = readme
  .split('\n')
  .filter((line) => /^(printf .* \| )?kcat /.test(line))
  .map((line) => line.replace(/\s+#.*$/, ''))

const skip = requireClient('kcat')
let broker: BrokerProcess

before(async () => {
  if (skip === false) broker = await startBrokerProcess()
})

after(async () => {
  await broker?.stop()
})

it('README lists, produces to and consumes from a topic with kcat', { skip }, () => {
  assert.equal(kcatLines.length, 3)
  const run = (line: string) =>
    execFileSync('sh', ['-c', line.replaceAll('127.0.0.1:9092', broker.bootstrap)], {
      encoding: 'utf8',
      timeout: 20_000,
    })
  assert.match(run(kcatLines[0]), /1 brokers:\n\s+broker 0 at 127\.0\.0\.1:\d+ \(controller\)/)
  run(kcatLines[1])
  assert.equal(run(kcatLines[2]), 'k1=hello @0\nk2=world @1\n')
})
