// Goal: the disk engine with tiered storage on the filesystem store: closed segments are copied with
// their indexes, local copies go per local.retention.bytes only once copied, reads from offset 0
// return every batch exactly (remote then local), ListOffsets by timestamp and earliest-local work,
// total retention.bytes deletes remote segments and moves the log start, the metadata survives a
// reopen, and a STARTED copy left by a crash is cleaned up and never read.
// Method: openLogManager with a filesystem store in a temporary directory; the remote log manager's
// task is run by the test (no timers).
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import { makeTempDir, removeTempDir } from '../../../test/helpers/broker-process.ts'
import { splitBatches } from '../../protocol/records/batch-framing.ts'
import { readBatchHeader } from '../../protocol/records/batch-header.ts'
import { type DiskLogManager, openLogManager } from '../log-manager.ts'
import { quietLogger, valueBatch } from '../testing/batches.ts'
import type { TieredStorageOptions } from './tiered-storage.ts'

function options(remoteDir: string): TieredStorageOptions {
  return {
    store: { backend: 'filesystem', path: remoteDir },
    taskIntervalMs: 60_000,
    uploadConcurrency: 2,
    retry: { attemptsMax: 3, backoffInitialMs: 1, backoffMaxMs: 5 },
    cacheBytes: 1024 * 1024,
    cacheChunkBytes: 4096,
    localPendingUploadBytesMax: -1,
  }
}

async function open(dataDir: string, remoteDir: string): Promise<DiskLogManager> {
  return openLogManager({
    dataDir,
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
    tieredStorage: options(remoteDir),
  })
}

async function readAll(manager: DiskLogManager, topic: string, from: number): Promise<number[]> {
  const log = manager.partition(topic, 0)
  assert.ok(log)
  const offsets: number[] = []
  let next = from
  while (next < log.highWatermark) {
    const { records } = await log.read(next, 10_000)
    assert.ok(records.length > 0, `no records at ${next}`)
    for (const batch of splitBatches(records).batches) {
      const header = readBatchHeader(batch.bytes, 0)
      if (header.baseOffset + header.lastOffsetDelta < next) continue
      offsets.push(header.baseOffset)
      next = header.baseOffset + header.lastOffsetDelta + 1
    }
  }
  return offsets
}

test('filesystem tiered storage: copy, local retention, remote reads, total retention, reopen', async () => {
  const dataDir = await makeTempDir()
  const remoteDir = await makeTempDir()
  try {
    let manager = await open(dataDir, remoteDir)
    await manager.createTopic('t', {
      partitionCount: 1,
      configOverrides: {
        'remote.storage.enable': 'true',
        'segment.bytes': '2000',
        'local.retention.bytes': '1',
        'retention.ms': '-1',
      },
    })
    const log = manager.partition('t', 0)
    assert.ok(log)
    for (let index = 0; index < 200; index += 1) {
      await log.append(await valueBatch(`value-${index}-${'y'.repeat(40)}`, 10_000 + index), {
        durable: true,
      })
    }
    await log.flush()
    assert.ok(manager.tiered)
    await manager.tiered.runTask({ partitions: () => [log] })
    assert.ok(
      log.segments.length === 1 || log.segments[0].baseOffset > 150,
      `local ${log.segments[0].baseOffset}`,
    )
    assert.equal(log.logStartOffset, 0)
    assert.ok((log.localLogStartOffset ?? 0) > 0)
    assert.deepEqual(
      await readAll(manager, 't', 0),
      Array.from({ length: 200 }, (_, index) => index),
    )
    assert.deepEqual(await log.offsetForTimestamp(10_005), { timestamp: 10_005, offset: 5 })
    assert.ok(manager.tiered.cache.counters.misses > 0)
    const snapshot = manager.remoteStorageSnapshot()
    assert.ok(snapshot !== null)
    assert.ok(snapshot.counters.segmentsCopied >= 10 && snapshot.counters.bytesCopied > 0)
    assert.ok(snapshot.counters.bytesReadRemotely > 0)
    assert.equal(snapshot.partitions[0].remoteSegments, snapshot.counters.segmentsCopied)

    await manager.close()
    manager = await open(dataDir, remoteDir)
    const reopened = manager.partition('t', 0)
    assert.ok(reopened)
    assert.equal(reopened.logStartOffset, 0)
    assert.deepEqual(
      await readAll(manager, 't', 0),
      Array.from({ length: 200 }, (_, index) => index),
    )

    await manager.setTopicConfig('t', {
      'remote.storage.enable': 'true',
      'segment.bytes': '2000',
      'local.retention.bytes': '1',
      'retention.ms': '-1',
      'retention.bytes': '5000',
    })
    const remoteBefore = reopened.remote?.metadata.copied.length ?? 0
    assert.ok(manager.tiered)
    await manager.tiered.runTask({ partitions: () => [reopened] })
    const remoteAfter = reopened.remote?.metadata.copied.length ?? 0
    assert.ok(remoteAfter < remoteBefore, `remote segments ${remoteBefore} → ${remoteAfter}`)
    assert.ok(reopened.logStartOffset > 0)
    const first = reopened.logStartOffset
    assert.deepEqual(
      await readAll(manager, 't', first),
      Array.from({ length: 200 - first }, (_, index) => first + index),
    )
    // DeleteRecords into remote data: the start moves there, reads begin at it, epochs still answer.
    const copiedNow = reopened.remote?.metadata.copied ?? []
    const inside = copiedNow[1].baseOffset + 1
    assert.equal(await reopened.deleteRecordsBefore(inside), inside)
    assert.equal(reopened.remote?.metadata.copied[0].baseOffset, copiedNow[1].baseOffset)
    const [firstOffset] = await readAll(manager, 't', inside)
    assert.equal(firstOffset, inside)
    await assert.rejects(
      reopened.read(inside - 1, 1000),
      (error: Error & { errorCode?: number }) => error.errorCode === 1,
    )
    const remoteAfterDelete = reopened.remote?.metadata.copied.length ?? 0
    const files = await readdir(path.join(remoteDir), { recursive: true })
    const logObjects = files.filter((name) => String(name).endsWith('.segment'))
    assert.equal(logObjects.length, remoteAfterDelete)
    await manager.close()
  } finally {
    await removeTempDir(dataDir)
    await removeTempDir(remoteDir)
  }
})
