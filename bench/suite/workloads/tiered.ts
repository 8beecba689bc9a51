// Tiered storage (issue 19): copy throughput against raw PUTs of the same sizes to the same server
// (target ≥ 70 %), and a cold catch-up read of remote data through the partition log against a raw
// ranged-GET loop over the same objects (target ≥ 50 %). The S3 API server is an s3rver process on
// 127.0.0.1 (the test helper); the broker side is the disk engine in this process (the object store,
// not the Kafka protocol, is what is measured: Fetch adds the same cost to local and remote reads).
// Then the local-disk bound under ingest faster than uploads (tiered-disk-bound.ts).
// The copy and the raw PUTs are compared on equal terms: the same S3ObjectStore client and server,
// the closed segments' sizes, Content-MD5 on every PUT, 4 uploads in flight through a pool on both
// sides, both warmed by segment-sized uploads first, and two rounds in alternating order.

import { openLogManager } from '../../../src/storage/log-manager.ts'
import type { DiskPartitionLog } from '../../../src/storage/partition-log.ts'
import { makeBatch, quietLogger } from '../../../src/storage/testing/batches.ts'
import { bufferBody } from '../../../src/storage/tiered/object-store.ts'
import { S3ObjectStore } from '../../../src/storage/tiered/s3-object-store.ts'
import type { TieredStorageOptions } from '../../../src/storage/tiered/tiered-storage.ts'
import { makeTempDir, removeTempDir } from '../../../test/helpers/broker-process.ts'
import { s3rverAccessKey, startS3Server } from '../../../test/helpers/s3-server.ts'
import type { BenchContext, Workload } from '../types.ts'
import { runDiskBound } from './tiered-disk-bound.ts'

const mib = 1024 * 1024

/** Uploads in flight at once, for the copies (upload_concurrency) and the raw PUTs alike. */
const uploadConcurrency = 4
/** Copy and raw PUTs are measured in rounds of their own data, in alternating order. */
const rounds = 2

/** Runs the jobs with `uploadConcurrency` of them in flight (a worker pool). */
async function uploadPool(jobs: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < jobs.length) await jobs[next++]()
  }
  await Promise.all(Array.from({ length: uploadConcurrency }, worker))
}

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
    uploadConcurrency,
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
    const batch = await makeBatch(
      Array.from({ length: 64 }, (_, index) => ({ value: `v${index}`.padEnd(1000, 'x') })),
    )
    // Every round's data is written (and flushed) before anything is measured; the warm-up topic's
    // `uploadConcurrency` segments are copied unmeasured.
    const logs: DiskPartitionLog[] = []
    for (let round = -1; round < rounds; round += 1) {
      const topic = round < 0 ? 'bench-warm-up' : `bench-${round}`
      await manager.createTopic(topic, {
        partitionCount: 1,
        configOverrides: {
          'remote.storage.enable': 'true',
          'segment.bytes': String(segmentBytes),
          'local.retention.bytes': '1',
          'retention.ms': '-1',
        },
      })
      const log = manager.partition(topic, 0)
      if (log === undefined) throw new Error('no partition')
      const bytes = round < 0 ? uploadConcurrency * segmentBytes + 1 : totalBytes / rounds
      while (log.sizeBytes < bytes) await log.append(batch, { durable: false })
      await log.flush()
      logs.push(log)
    }
    const warmUp = logs.shift()
    const tiered = manager.tiered
    if (tiered === null || warmUp === undefined) throw new Error('no tiered storage')
    // Both sides start warm: an open client, a warm server, and as many objects of a segment's size
    // uploaded as go at once (the raw payload below is allocated and filled before it is timed; the
    // copies' read buffers are allocated by these copies and then reused, as in a broker that keeps
    // copying). Neither the SDK's import nor the first connections count as upload time.
    await tiered.runTask({ partitions: () => [warmUp] })
    await uploadPool(
      Array.from(
        { length: uploadConcurrency },
        (_, index) => () => raw.put(`warm-up-${index}`, bufferBody(Buffer.alloc(segmentBytes, index))),
      ),
    )
    const payload = Buffer.alloc(segmentBytes * 2, 7)
    const sizesOf = (log: DiskPartitionLog): number[] =>
      log.segments.slice(0, -1).map((segment) => segment.size)
    const copy = { bytes: 0, seconds: 0 }
    const put = { bytes: 0, seconds: 0 }
    const measureCopy = async (log: DiskPartitionLog): Promise<void> => {
      const bytes = sizesOf(log).reduce((total, size) => total + size, 0)
      const started = performance.now()
      await tiered.runTask({ partitions: () => [log] })
      copy.seconds += (performance.now() - started) / 1000
      copy.bytes += bytes
      if (log.remote?.metadata.copiedEndOffset !== log.segments.at(-1)?.baseOffset)
        throw new Error('not every closed segment was copied')
    }
    // Raw PUTs of the same sizes (with their MD5, as every copy sends), `uploadConcurrency` in flight
    // as the copies are: a worker pool, never batches that wait for their slowest PUT.
    const measurePut = async (sizes: number[], round: number): Promise<void> => {
      const started = performance.now()
      await uploadPool(
        sizes.map(
          (size, index) => () =>
            raw.put(`round-${round}-object-${index}`, bufferBody(payload.subarray(0, size))),
        ),
      )
      put.seconds += (performance.now() - started) / 1000
      put.bytes += sizes.reduce((total, size) => total + size, 0)
    }
    const allSizes: number[][] = []
    for (const [round, log] of logs.entries()) {
      const sizes = sizesOf(log)
      allSizes.push(sizes)
      // The order alternates: neither side always meets the server (and the page cache) second.
      if (round % 2 === 0) {
        await measureCopy(log)
        await measurePut(sizes, round)
      } else {
        await measurePut(sizes, round)
        await measureCopy(log)
      }
    }
    const copyRate = copy.bytes / mib / copy.seconds
    const putRate = put.bytes / mib / put.seconds
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
    let started = performance.now()
    let readBytes = 0
    for (let round = 0; round < rounds; round += 1) {
      const reopened = manager.partition(`bench-${round}`, 0)
      if (reopened === undefined || reopened.remote === null) throw new Error('no remote partition')
      const remoteEnd = reopened.remote.metadata.copiedEndOffset
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
    }
    const readSeconds = (performance.now() - started) / 1000
    started = performance.now()
    let rawRead = 0
    for (const [round, sizes] of allSizes.entries()) {
      for (const [index, size] of sizes.entries()) {
        for (let start = 0; start < size; start += mib) {
          const range = { start, endExclusive: Math.min(size, start + mib) }
          rawRead += (await raw.get(`round-${round}-object-${index}`, range)).length
        }
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
