// Tiered storage (issue 19): copy throughput against raw PUTs of the same sizes to the same server
// (target ≥ 70 %), and a cold catch-up read of remote data through the partition log against a raw
// ranged-GET loop over the same objects (target ≥ 50 %). The S3 API server is an s3rver process on
// 127.0.0.1 (the test helper); the broker side is the disk engine in this process (the object store,
// not the Kafka protocol, is what is measured: Fetch adds the same cost to local and remote reads).
// Then the local-disk bound under ingest faster than uploads (tiered-disk-bound.ts).

import { openLogManager } from '../../../src/storage/log-manager.ts'
import { makeBatch, quietLogger } from '../../../src/storage/testing/batches.ts'
import { bufferBody } from '../../../src/storage/tiered/object-store.ts'
import { S3ObjectStore } from '../../../src/storage/tiered/s3-object-store.ts'
import type { TieredStorageOptions } from '../../../src/storage/tiered/tiered-storage.ts'
import { makeTempDir, removeTempDir } from '../../../test/helpers/broker-process.ts'
import { s3rverAccessKey, startS3Server } from '../../../test/helpers/s3-server.ts'
import type { BenchContext, Workload } from '../types.ts'
import { runDiskBound } from './tiered-disk-bound.ts'

const mib = 1024 * 1024

async function run(context: BenchContext): Promise<void> {
  const totalBytes = (context.options.quick ? 8 : 96) * mib
  const segmentBytes = (context.options.quick ? 1 : 8) * mib
  const server = await startS3Server('bench-tiered')
  const dataDir = await makeTempDir('streamline-bench-tiered-')
  const s3 = {
    backend: 's3' as const,
    bucket: server.bucket,
    prefix: 'engine',
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    accessKeyId: s3rverAccessKey,
    secretAccessKey: s3rverAccessKey,
    requestTimeoutMs: 30_000,
  }
  const tieredStorage: TieredStorageOptions = {
    store: s3,
    taskIntervalMs: 3_600_000,
    uploadConcurrency: 4,
    retry: { attemptsMax: 3, backoffInitialMs: 50, backoffMaxMs: 500 },
    cacheBytes: 64 * mib,
    cacheChunkBytes: mib,
    localPendingUploadBytesMax: -1,
  }
  const raw = await S3ObjectStore.open({ ...s3, prefix: 'raw' })
  try {
    const open = () =>
      openLogManager({ dataDir, logger: quietLogger(), maintenanceIntervalMs: 0, tieredStorage })
    let manager = await open()
    await manager.createTopic('bench', {
      partitionCount: 1,
      configOverrides: {
        'remote.storage.enable': 'true',
        'segment.bytes': String(segmentBytes),
        'local.retention.bytes': '1',
        'retention.ms': '-1',
      },
    })
    const log = manager.partition('bench', 0)
    if (log === undefined || manager.tiered === null) throw new Error('no partition')
    const batch = await makeBatch(
      Array.from({ length: 64 }, (_, index) => ({ value: `v${index}`.padEnd(1000, 'x') })),
    )
    while (log.sizeBytes < totalBytes) await log.append(batch, { durable: false })
    await log.flush()
    const sizes = log.segments.slice(0, -1).map((segment) => segment.size)
    const copiedBytes = sizes.reduce((total, size) => total + size, 0)
    // Both sides start with an open client (the raw store is opened above): the SDK's import is not
    // upload time.
    await manager.tiered.store()
    let started = performance.now()
    await manager.tiered.runTask({ partitions: () => [log] })
    const copySeconds = (performance.now() - started) / 1000
    started = performance.now()
    const payload = Buffer.alloc(Math.max(...sizes), 7)
    let rawIndex = 0
    const rawJobs = sizes.map(
      (size) => async () => raw.put(`object-${rawIndex++}`, bufferBody(payload.subarray(0, size))),
    )
    for (let index = 0; index < rawJobs.length; index += 4)
      await Promise.all(rawJobs.slice(index, index + 4).map((job) => job()))
    const putSeconds = (performance.now() - started) / 1000
    const copyRate = copiedBytes / mib / copySeconds
    const putRate = copiedBytes / mib / putSeconds
    context.record({
      id: 'tiered.copy.mbPerSec',
      label: 'tiered: segment copy to s3rver',
      value: copyRate,
      unit: 'MB/s',
    })
    context.record({
      id: 'tiered.rawPut.mbPerSec',
      label: 'tiered: raw PUTs, same sizes',
      value: putRate,
      unit: 'MB/s',
    })
    context.target({
      id: 'target.tiered-copy-vs-raw-put',
      description: 'upload throughput ≥ 70 % of raw PUTs of the same sizes',
      actual: copyRate / putRate,
      comparator: '>=',
      bound: 0.7,
      unit: 'ratio',
      basis: `copy ${copyRate.toFixed(1)} MB/s / raw PUT ${putRate.toFixed(1)} MB/s`,
    })
    await manager.close()
    manager = await open()
    const reopened = manager.partition('bench', 0)
    if (reopened === undefined || reopened.remote === null) throw new Error('no remote partition')
    const remoteEnd = reopened.remote.metadata.copiedEndOffset
    started = performance.now()
    let readBytes = 0
    for (let offset = 0; offset < remoteEnd; ) {
      const { records } = await reopened.read(offset, mib)
      if (records.length === 0) throw new Error(`no records at ${offset}`)
      readBytes += records.length
      let position = 0
      let lastOffset = offset
      while (position < records.length) {
        lastOffset = Number(records.readBigInt64BE(position)) + records.readInt32BE(position + 23)
        position += 12 + records.readInt32BE(position + 8)
      }
      offset = lastOffset + 1
    }
    const readSeconds = (performance.now() - started) / 1000
    started = performance.now()
    let rawRead = 0
    for (let index = 0; index < sizes.length; index += 1) {
      for (let start = 0; start < sizes[index]; start += mib) {
        rawRead += (
          await raw.get(`object-${index}`, { start, endExclusive: Math.min(sizes[index], start + mib) })
        ).length
      }
    }
    const getSeconds = (performance.now() - started) / 1000
    const readRate = readBytes / mib / readSeconds
    const getRate = rawRead / mib / getSeconds
    context.record({
      id: 'tiered.catchUpRead.mbPerSec',
      label: 'tiered: cold catch-up read',
      value: readRate,
      unit: 'MB/s',
    })
    context.record({
      id: 'tiered.rawGet.mbPerSec',
      label: 'tiered: raw 1 MiB ranged GET loop',
      value: getRate,
      unit: 'MB/s',
    })
    context.target({
      id: 'target.tiered-read-vs-raw-get',
      description: 'catch-up read of remote data ≥ 50 % of a raw GET loop over the same objects',
      actual: readRate / getRate,
      comparator: '>=',
      bound: 0.5,
      unit: 'ratio',
      basis: `read ${readRate.toFixed(1)} MB/s / raw GET ${getRate.toFixed(1)} MB/s`,
    })
    await manager.close()
    await runDiskBound(context, s3)
  } finally {
    raw.close()
    await server.dispose()
    await removeTempDir(dataDir)
  }
}

export const tiered: Workload = { name: 'tiered', order: 65, run }
