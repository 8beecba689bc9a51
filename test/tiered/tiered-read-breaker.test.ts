// Goal: while the S3 store is down, remote reads answer KAFKA_STORAGE_ERROR (retriable) and, after a
// few consecutive failures, fail fast without a request (the read breaker is open), while local data
// is still served; once the store is back, the half-open probe read succeeds and every remote record
// reads back exactly. Method: the disk engine in this process with tiered storage on a real s3rver
// process (no cache, so every remote read is a GET); the s3rver process is stopped and restarted.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { splitBatches } from '../../src/protocol/records/batch-framing.ts'
import { readBatchHeader } from '../../src/protocol/records/batch-header.ts'
import { openLogManager } from '../../src/storage/log-manager.ts'
import { quietLogger, valueBatch } from '../../src/storage/testing/batches.ts'
import type { TieredStorageOptions } from '../../src/storage/tiered/tiered-storage.ts'
import type { PartitionLog } from '../../src/storage/types.ts'
import { makeTempDir, removeTempDir } from '../helpers/broker-process.ts'
import { type S3Server, s3rverAccessKey, startS3Server } from '../helpers/s3-server.ts'

const openMs = 400

function breakerOptions(server: S3Server): TieredStorageOptions {
  return {
    store: {
      backend: 's3',
      bucket: server.bucket,
      prefix: '',
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      accessKeyId: s3rverAccessKey,
      secretAccessKey: s3rverAccessKey,
      requestTimeoutMs: 2_000,
    },
    taskIntervalMs: 3_600_000,
    uploadConcurrency: 2,
    retry: { attemptsMax: 2, backoffInitialMs: 5, backoffMaxMs: 20 },
    cacheBytes: 0,
    cacheChunkBytes: 4096,
    localPendingUploadBytesMax: -1,
    readBreaker: { failuresToOpen: 3, openMs },
  }
}

/** Base offsets of every batch below `end`, read one fetch at a time from offset 0. */
async function remoteOffsets(log: PartitionLog, end: number): Promise<number[]> {
  const offsets: number[] = []
  for (let next = 0; next < end; ) {
    const { records } = await log.read(next, 10_000)
    for (const batch of splitBatches(records).batches) {
      const header = readBatchHeader(batch.bytes, 0)
      offsets.push(header.baseOffset)
      next = header.baseOffset + header.lastOffsetDelta + 1
    }
  }
  return offsets
}

test('read breaker: fails fast while the store is down, probes, then reads everything exactly', async () => {
  const server = await startS3Server('breaker')
  const dataDir = await makeTempDir()
  const tieredStorage = breakerOptions(server)
  const manager = await openLogManager({
    dataDir,
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    recoveryPointCheckpointIntervalMs: 0,
    tieredStorage,
  })
  try {
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
    assert.ok(log && manager.tiered)
    for (let index = 0; index < 100; index += 1) {
      await log.append(await valueBatch(`value-${index}-${'z'.repeat(40)}`), { durable: true })
    }
    await log.flush()
    await manager.tiered.runTask({ partitions: () => [log] })
    const localStart = log.localLogStartOffset ?? 0
    assert.ok(localStart > 10, `local start ${localStart}`)

    await server.stop()
    const failures: string[] = []
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const started = performance.now()
      await assert.rejects(log.read(0, 10_000), (error: Error & { errorCode?: number }) => {
        assert.equal(error.errorCode, 56)
        failures.push(error.message)
        return true
      })
      if (attempt >= 3) assert.ok(performance.now() - started < 50, 'an open breaker answers at once')
    }
    assert.ok(
      failures.slice(0, 3).every((message) => !message.includes('fail fast')),
      failures[0],
    )
    assert.ok(
      failures.slice(3).every((message) => message.includes('reads fail fast')),
      failures[3],
    )
    // Local data is still served while remote reads fail.
    const local = await log.read(localStart, 10_000)
    assert.ok(local.records.length > 0)
    const snapshot = manager.remoteStorageSnapshot()
    assert.ok(snapshot !== null)
    assert.equal(snapshot.counters.readBreakerOpens, 1)
    assert.equal(snapshot.counters.readsRejected, 2)

    await server.start()
    await sleep(openMs)
    const offsets = await remoteOffsets(log, localStart)
    assert.deepEqual(
      offsets,
      Array.from({ length: localStart }, (_, index) => index),
    )
    assert.equal(manager.tiered.readBreaker.state, 'closed')
  } finally {
    await manager.close()
    await server.dispose()
    await removeTempDir(dataDir)
  }
})
