// Remote log metadata of one partition (Kafka's RemoteLogSegmentMetadata): which segments were copied,
// their offsets, sizes, timestamps and leader epochs, and where each is in its copy/delete lifecycle.
// Persisted as `remote-log-segment-metadata.json` in the partition directory, replaced atomically
// (temporary file, fsync, rename, directory fsync) on every state change (README: why a file and not
// the `__remote_log_metadata` topic).
//
// Lifecycle (Kafka's RemoteLogSegmentState): COPY_SEGMENT_STARTED is recorded before the first byte is
// uploaded, COPY_SEGMENT_FINISHED after every object is confirmed; only FINISHED segments are read.
// DELETE_SEGMENT_STARTED is recorded before objects are deleted; the entry goes once they are. At open,
// a STARTED copy is an orphan (its objects are deleted and the segment copied again under a new id) and
// a STARTED delete is finished.

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { StorageError } from '../../errors.ts'
import { writeFileAtomic } from '../file-io.ts'

export const remoteLogMetadataFile = 'remote-log-segment-metadata.json'

export type RemoteSegmentState = 'COPY_SEGMENT_STARTED' | 'COPY_SEGMENT_FINISHED' | 'DELETE_SEGMENT_STARTED'

export interface RemoteSegment {
  /** RemoteLogSegmentId: a fresh UUID per copy attempt (object keys contain it). */
  id: string
  baseOffset: number
  /** Last offset in the segment (inclusive). */
  endOffset: number
  sizeBytes: number
  /** Largest batch timestamp and the offset holding it (-1 when none). */
  maxTimestamp: number
  offsetOfMaxTimestamp: number
  /** Leader epoch → start offset within the segment (Kafka's segmentLeaderEpochs). */
  leaderEpochs: { epoch: number; startOffset: number }[]
  /** Object suffixes uploaded with the segment ('.log', '.index', '.timeindex', '.snapshot', …). */
  objects: string[]
  state: RemoteSegmentState
  /** When the copy finished (ms since epoch); 0 before. */
  copiedAtMs: number
}

interface MetadataFileContents {
  version: 1
  segments: RemoteSegment[]
}

const states: readonly string[] = ['COPY_SEGMENT_STARTED', 'COPY_SEGMENT_FINISHED', 'DELETE_SEGMENT_STARTED']

function isRemoteSegment(value: unknown): value is RemoteSegment {
  const segment = value as Partial<RemoteSegment> | null
  return (
    typeof segment === 'object' &&
    segment !== null &&
    typeof segment.id === 'string' &&
    /^[0-9a-f-]{36}$/.test(segment.id) &&
    [segment.baseOffset, segment.endOffset, segment.sizeBytes, segment.maxTimestamp].every(
      Number.isSafeInteger,
    ) &&
    Array.isArray(segment.objects) &&
    Array.isArray(segment.leaderEpochs) &&
    states.includes(String(segment.state))
  )
}

/** The entries of a metadata file; a file that is not ours (or damaged) stops the open, naming it. */
export function parseMetadata(file: string, text: string): RemoteSegment[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new StorageError(`remote log metadata ${file} is not valid JSON`, { cause: error })
  }
  const contents = parsed as Partial<MetadataFileContents> | null
  if (
    contents?.version !== 1 ||
    !Array.isArray(contents.segments) ||
    !contents.segments.every(isRemoteSegment)
  ) {
    throw new StorageError(
      `remote log metadata ${file} does not have the expected shape (version 1, segments)`,
    )
  }
  return contents.segments
}

/** The remote segments of one partition, sorted by base offset, with atomic persistence. */
export class RemoteLogMetadata {
  private entries: RemoteSegment[]
  private writeChain: Promise<void> = Promise.resolve()

  private constructor(
    private readonly file: string,
    entries: RemoteSegment[],
  ) {
    this.entries = entries
  }

  static async load(directory: string): Promise<RemoteLogMetadata> {
    const file = path.join(directory, remoteLogMetadataFile)
    let entries: RemoteSegment[] = []
    let text: string | null = null
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    if (text !== null) entries = parseMetadata(file, text)
    return new RemoteLogMetadata(
      file,
      entries.sort((a, b) => a.baseOffset - b.baseOffset),
    )
  }

  get all(): readonly RemoteSegment[] {
    return this.entries
  }

  /** Copied segments, readable, in offset order. */
  get copied(): RemoteSegment[] {
    return this.entries.filter((segment) => segment.state === 'COPY_SEGMENT_FINISHED')
  }

  /** The offset after the last copied segment (the next segment to copy starts here), or -1. */
  get copiedEndOffset(): number {
    const copied = this.copied
    return copied.length === 0 ? -1 : copied[copied.length - 1].endOffset + 1
  }

  get copiedSizeBytes(): number {
    return this.copied.reduce((total, segment) => total + segment.sizeBytes, 0)
  }

  /** The copied segment holding `offset`, or undefined. */
  segmentFor(offset: number): RemoteSegment | undefined {
    return this.copied.find((segment) => segment.baseOffset <= offset && offset <= segment.endOffset)
  }

  /** Adds or replaces (same id) an entry and persists the whole list. */
  async put(segment: RemoteSegment): Promise<void> {
    this.entries = [...this.entries.filter((entry) => entry.id !== segment.id), segment].sort(
      (a, b) => a.baseOffset - b.baseOffset,
    )
    await this.persist()
  }

  async remove(id: string): Promise<void> {
    this.entries = this.entries.filter((entry) => entry.id !== id)
    await this.persist()
  }

  private persist(): Promise<void> {
    const write = (): Promise<void> =>
      writeFileAtomic(
        this.file,
        JSON.stringify({ version: 1, segments: this.entries } satisfies MetadataFileContents),
      )
    const result = this.writeChain.then(write, write)
    this.writeChain = result.catch(() => {})
    return result
  }
}

/** Object key of one file of a remote segment: `<topic>-<topicId>/<partition>/<base>-<id><suffix>`. */
export function remoteObjectKey(
  where: { topic: string; topicId: string; partition: number },
  segment: Pick<RemoteSegment, 'baseOffset' | 'id'>,
  suffix: string,
): string {
  return `${partitionKeyPrefix(where)}${String(segment.baseOffset).padStart(20, '0')}-${segment.id}${suffix}`
}

export function partitionKeyPrefix(where: { topic: string; topicId: string; partition: number }): string {
  return `${topicKeyPrefix(where)}${where.partition}/`
}

export function topicKeyPrefix(where: { topic: string; topicId: string }): string {
  return `${where.topic}-${where.topicId}/`
}
