// Tiered storage (issue 19): the local-disk bound holds while producing at full speed with uploads
// slower than ingest. One partition with local.retention.bytes=1 and the broker's
// local_pending_upload_bytes_max = B; appends go as fast as the disk engine takes them for a fixed
// time while the remote log manager's task (every 50 ms) copies to s3rver with one upload at a time.
// Appends over the bound are refused with KAFKA_STORAGE_ERROR (the producer retries); the peak local
// size of the partition is sampled after every append. Target: peak ≤ B + 2 × segment.bytes (the
// bound, the active segment, and one copied segment not yet deleted by the next task).

import { openLogManager } from '../../../src/storage/log-manager.ts'
import { makeBatch, quietLogger } from '../../../src/storage/testing/batches.ts'
import type { S3ObjectStoreOptions } from '../../../src/storage/tiered/s3-object-store.ts'
import { makeTempDir, removeTempDir } from '../../../test/helpers/broker-process.ts'
import type { BenchContext } from '../types.ts'

const mib = 1024 * 1024

/** Appends `batch` as fast as accepted for `seconds`; refusals (KAFKA_STORAGE_ERROR) are retried. */
async function appendAtFullSpeed(
  log: { append(batch: Buffer, options: { durable: boolean }): Promise<unknown>; sizeBytes: number },
  batch: Buffer,
  seconds: number,
): Promise<{ acceptedBytes: number; refused: number; peakLocalBytes: number; elapsed: number }> {
  let acceptedBytes = 0
  let refused = 0
  let peakLocalBytes = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  while (performance.now() < deadline) {
    try {
      await log.append(batch, { durable: false })
      acceptedBytes += batch.length
    } catch (error) {
      if ((error as { errorCode?: number }).errorCode !== 56) throw error
      refused += 1
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    peakLocalBytes = Math.max(peakLocalBytes, log.sizeBytes)
  }
  return { acceptedBytes, refused, peakLocalBytes, elapsed: (performance.now() - started) / 1000 }
}

export async function runDiskBound(context: BenchContext, s3: S3ObjectStoreOptions): Promise<void> {
  const boundBytes = (context.options.quick ? 4 : 16) * mib
  const segmentBytes = (context.options.quick ? 1 : 4) * mib
  const seconds = context.options.quick ? 3 : 10
  const dataDir = await makeTempDir('streamline-bench-tiered-bound-')
  const manager = await openLogManager({
    dataDir,
    logger: quietLogger(),
    maintenanceIntervalMs: 0,
    tieredStorage: {
      store: { backend: 's3', ...s3, prefix: 'bound' },
      taskIntervalMs: 50,
      uploadConcurrency: 1,
      retry: { attemptsMax: 3, backoffInitialMs: 50, backoffMaxMs: 500 },
      cacheBytes: 0,
      cacheChunkBytes: mib,
      localPendingUploadBytesMax: boundBytes,
    },
  })
  try {
    await manager.createTopic('bound', {
      partitionCount: 1,
      configOverrides: {
        'remote.storage.enable': 'true',
        'segment.bytes': String(segmentBytes),
        'local.retention.bytes': '1',
        'retention.ms': '-1',
      },
    })
    const log = manager.partition('bound', 0)
    if (log === undefined || manager.tiered === null) throw new Error('no partition')
    await manager.tiered.store()
    const batch = await makeBatch(
      Array.from({ length: 64 }, (_, index) => ({ value: `v${index}`.padEnd(1000, 'x') })),
    )
    const { acceptedBytes, refused, peakLocalBytes, elapsed } = await appendAtFullSpeed(log, batch, seconds)
    const copiedBytes = manager.tiered.metrics.bytesCopied
    const allowed = boundBytes + 2 * segmentBytes
    context.record({
      id: 'tiered.diskBound.peakLocalMB',
      label: 'tiered: peak local size, uploads slower than ingest',
      value: peakLocalBytes / mib,
      unit: 'MB',
      details: { boundMB: boundBytes / mib, segmentMB: segmentBytes / mib, refusedAppends: refused },
    })
    context.record({
      id: 'tiered.diskBound.acceptedMbPerSec',
      label: 'tiered: produce accepted under the bound',
      value: acceptedBytes / mib / elapsed,
      unit: 'MB/s',
    })
    context.record({
      id: 'tiered.diskBound.uploadMbPerSec',
      label: 'tiered: upload rate meanwhile',
      value: copiedBytes / mib / elapsed,
      unit: 'MB/s',
    })
    context.target({
      id: 'target.tiered-local-disk-bound',
      description: 'local disk bound held while producing at full speed with uploads slower than ingest',
      actual: peakLocalBytes / allowed,
      comparator: '<=',
      bound: 1,
      unit: 'ratio',
      basis:
        `peak ${(peakLocalBytes / mib).toFixed(1)} MiB / (bound ${boundBytes / mib} MiB + 2 segments of ` +
        `${segmentBytes / mib} MiB); ${refused} appends refused, ingest offered above the upload rate`,
      met: refused > 0 ? peakLocalBytes <= allowed : null,
    })
  } finally {
    await manager.close()
    await removeTempDir(dataDir)
  }
}
