// Shared pieces of the tiered storage tests: the broker flags that point remote storage at an s3rver
// process, a store client to look at the bucket, polling with a bound, and the local segment files.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { S3ObjectStore } from '../../src/storage/tiered/s3-object-store.ts'
import { type S3Server, s3rverAccessKey } from '../helpers/s3-server.ts'

export function tieredFlags(server: S3Server, extra: string[] = []): string[] {
  return [
    '--tiered-storage',
    '--tiered-storage-s3-bucket',
    server.bucket,
    '--tiered-storage-s3-endpoint',
    server.endpoint,
    '--tiered-storage-s3-force-path-style',
    '--tiered-storage-s3-access-key-id',
    s3rverAccessKey,
    '--tiered-storage-s3-secret-access-key',
    s3rverAccessKey,
    '--tiered-storage-remote-log-manager-task-interval-ms',
    '200',
    '--tiered-storage-remote-log-manager-task-retry-backoff-ms',
    '20',
    '--tiered-storage-remote-log-manager-task-retry-backoff-max-ms',
    '200',
    '--tiered-storage-request-timeout-ms',
    '2000',
    '--tiered-storage-cache-chunk-bytes',
    '65536',
    ...extra,
  ]
}

export function bucketClient(server: S3Server): Promise<S3ObjectStore> {
  return S3ObjectStore.open({
    bucket: server.bucket,
    prefix: '',
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    accessKeyId: s3rverAccessKey,
    secretAccessKey: s3rverAccessKey,
    requestTimeoutMs: 5_000,
  })
}

/** Polls `check` until it returns true; fails after `timeoutMs` naming `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // s3rver answers InternalError to a list racing a delete of the same key: poll again.
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/** Base offsets of the local `.log` files of a partition. */
export async function localSegmentBases(dataDir: string, topic: string, partition = 0): Promise<number[]> {
  const names = await readdir(join(dataDir, `${topic}-${partition}`))
  return names
    .filter((name) => /^\d{20}\.log$/.test(name))
    .map((name) => Number(name.slice(0, 20)))
    .sort((a, b) => a - b)
}

/** The partition's remote log metadata entries as the broker persisted them. */
export async function remoteEntries(
  dataDir: string,
  topic: string,
  partition = 0,
): Promise<
  { id: string; state: string; sizeBytes: number; indexRanges?: Record<string, [number, number]> }[]
> {
  const text = await readFile(
    join(dataDir, `${topic}-${partition}`, 'remote-log-segment-metadata.json'),
    'utf8',
  )
  return (JSON.parse(text) as { segments: [] }).segments
}

export function recordValue(index: number): string {
  return `record-${String(index).padStart(6, '0')}-${'x'.repeat(80)}`
}
