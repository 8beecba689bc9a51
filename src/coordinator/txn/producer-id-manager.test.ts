// Goal: producer ids are never handed out twice, across restarts of the same data dir.
// Method: a manager generates ids, a second manager on the same directory (a restart, clean or
// not: the block file is written before ids are used) continues above all of them.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { temporaryDirectory } from '../../storage/testing/batches.ts'
import { ProducerIdManager } from './producer-id-manager.ts'

it('continues above every id of the previous run, and ids are unique under concurrency', async () => {
  const { directory, remove } = await temporaryDirectory()
  try {
    const first = new ProducerIdManager({ dataDir: directory })
    await first.load()
    const ids = await Promise.all(Array.from({ length: 1500 }, () => first.generate()))
    assert.equal(new Set(ids).size, 1500)
    assert.deepEqual([ids[0], ids[1499]], [0n, 1499n])
    const restarted = new ProducerIdManager({ dataDir: directory })
    await restarted.load()
    assert.equal(await restarted.generate(), 2000n)
  } finally {
    await remove()
  }
})

it('works without a data dir (in-memory engine)', async () => {
  const manager = new ProducerIdManager({})
  await manager.load()
  assert.deepEqual([await manager.generate(), await manager.generate()], [0n, 1n])
})
