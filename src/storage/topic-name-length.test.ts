// Goal: a topic name of Kafka's maximum length (249 characters) can be created, written, and
// survives a restart (the topic file is named by id, not by name, to stay under 255 bytes).
// Method: a disk log manager in a temp dir; create, append, close, reopen, read.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { openLogManager } from './log-manager.ts'
import { quietLogger, temporaryDirectory } from './testing/batches.ts'
import { appendValues, readAll } from './testing/behaviour-suite.ts'

it('creates and reopens a 249-character topic', async () => {
  const { directory, remove } = await temporaryDirectory()
  const name = 'x'.repeat(249)
  try {
    const options = {
      dataDir: directory,
      logger: quietLogger(),
      maintenanceIntervalMs: 0,
      recoveryPointCheckpointIntervalMs: 0,
    }
    const first = await openLogManager(options)
    await first.createTopic(name, { partitionCount: 1 })
    await appendValues(first.partition(name, 0)!, ['a'])
    await first.close()
    const second = await openLogManager(options)
    assert.deepEqual(await readAll(second.partition(name, 0)!), ['0:a'])
    await second.close()
  } finally {
    await remove()
  }
})
