// Goal: a failed write or a full disk fails that append with StorageError (KAFKA_STORAGE_ERROR, 56),
// leaves no stray bytes, keeps the partition readable, and the engine keeps working; a failed fsync
// fails the durable appends waiting for it and stops writes to that partition (the kernel may have
// dropped the pages), while reads go on.
// Method: the engine's WriteIo with injected faults (the real node:fs underneath), exact data checks,
// then a reopen of the data dir to check what is on disk.

import assert from 'node:assert/strict'
import type { FileHandle } from 'node:fs/promises'
import { afterEach, beforeEach, test } from 'node:test'
import { StorageError } from '../errors.ts'
import { nodeWriteIo, type WriteIo } from './file-io.ts'
import { openLogManager } from './log-manager.ts'
import { quietLogger, temporaryDirectory, valueBatch } from './testing/batches.ts'
import { appendValues, readAll } from './testing/behaviour-suite.ts'

class FaultyIo implements WriteIo {
  writeFault: 'none' | 'enospc' | 'half-then-enospc' = 'none'
  syncFault = false
  async writev(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
    if (this.writeFault === 'half-then-enospc') {
      const all = Buffer.concat(buffers)
      await handle.write(all, 0, Math.floor(all.length / 2), position)
    }
    if (this.writeFault !== 'none')
      throw Object.assign(new Error('No space left on device'), { code: 'ENOSPC' })
    await nodeWriteIo.writev(handle, buffers, position)
  }
  async datasync(handle: FileHandle): Promise<void> {
    if (this.syncFault) throw Object.assign(new Error('Input/output error'), { code: 'EIO' })
    await nodeWriteIo.datasync(handle)
  }
}

let dataDir: string
let removeDataDir: () => Promise<void>
beforeEach(async () => {
  ;({ directory: dataDir, remove: removeDataDir } = await temporaryDirectory())
})
afterEach(async () => {
  await removeDataDir()
})

function isStorageError(error: unknown): boolean {
  assert.ok(error instanceof StorageError, `expected StorageError, got ${String(error)}`)
  assert.equal(error.errorCode, 56)
  return true
}

test('a full disk fails the append, leaves no bytes behind, and the partition recovers when space returns', async () => {
  const io = new FaultyIo()
  const logger = quietLogger()
  const options = { dataDir, io, logger, maintenanceIntervalMs: 0, recoveryPointCheckpointIntervalMs: 0 }
  const manager = await openLogManager(options)
  await manager.createTopic('t', { partitionCount: 2 })
  const log = manager.partition('t', 0)!
  await appendValues(log, ['a', 'b'])
  for (const fault of ['enospc', 'half-then-enospc'] as const) {
    io.writeFault = fault
    await assert.rejects(log.append(await valueBatch('lost'), { durable: false }), isStorageError)
    await assert.rejects(log.append(await valueBatch('lost'), { durable: true }), isStorageError)
    assert.equal(log.logEndOffset, 2)
    assert.deepEqual(await readAll(log), ['0:a', '1:b'])
  }
  io.writeFault = 'none'
  await appendValues(log, ['c'])
  await appendValues(manager.partition('t', 1)!, ['other'])
  assert.deepEqual(await readAll(log), ['0:a', '1:b', '2:c'])
  await manager.close()
  const reopened = await openLogManager({ ...options, io: nodeWriteIo })
  assert.deepEqual(await readAll(reopened.partition('t', 0)!), ['0:a', '1:b', '2:c'])
  await reopened.close()
})

test('a failed fsync fails the durable append and stops writes to that partition only', async () => {
  const io = new FaultyIo()
  const logger = quietLogger()
  const manager = await openLogManager({
    dataDir,
    io,
    logger,
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
  })
  await manager.createTopic('t', { partitionCount: 1 })
  await manager.createTopic('u', { partitionCount: 1 })
  const log = manager.partition('t', 0)!
  await log.append(await valueBatch('safe'), { durable: true })
  io.syncFault = true
  await assert.rejects(log.append(await valueBatch('unsure'), { durable: true }), isStorageError)
  io.syncFault = false
  await assert.rejects(log.append(await valueBatch('refused'), { durable: false }), isStorageError)
  assert.equal((await readAll(log))[0], '0:safe')
  await appendValues(manager.partition('u', 0)!, ['fine'])
  assert.deepEqual(await readAll(manager.partition('u', 0)!), ['0:fine'])
  assert.ok(logger.messages.includes('partition stops accepting writes'))
  await manager.close()
})
