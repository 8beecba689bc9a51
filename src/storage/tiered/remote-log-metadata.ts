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
  /** Object suffixes of the segment: '.segment' (segments copied before the indexes were combined:
   * '.log', '.index', '.timeindex', '.snapshot', '.leader-epoch-checkpoint', one object each). */
  objects: string[]
  /** Where each index lies in the '.segment' object (after the log bytes), by Kafka's
   * RemoteStorageManager.IndexType; absent for segments copied as one object per file. */
  indexRanges?: IndexRanges
  state: RemoteSegmentState
  /** When the copy finished (ms since epoch); 0 before. */
  copiedAtMs: number
}

/** Kafka's RemoteStorageManager.IndexType values that Streamline stores (no TRANSACTION index: the
 * producer snapshot carries the aborted transactions). */
export type RemoteIndexType = 'OFFSET' | 'TIMESTAMP' | 'PRODUCER_SNAPSHOT' | 'LEADER_EPOCH'

/** [start, endExclusive) of each index within the '.segment' object; an index the segment lacks
 * (no producer snapshot) is absent. */
export type IndexRanges = Partial<Record<RemoteIndexType, [number, number]>>

/** The one object of a segment: its log bytes [0, sizeBytes), then its indexes (`indexRanges`). */
export const segmentObjectSuffix = '.segment'
/** Suffixes of the objects a segment may have had, now or before the indexes were combined: a
 * delete removes them all (a key that does not exist is not an error). */
export const segmentObjectSuffixes = [
  segmentObjectSuffix,
  '.log',
  '.index',
  '.timeindex',
  '.snapshot',
  '.leader-epoch-checkpoint',
] as const

const indexTypes: readonly RemoteIndexType[] = ['OFFSET', 'TIMESTAMP', 'PRODUCER_SNAPSHOT', 'LEADER_EPOCH']

/** The object holding a segment's log bytes: '.segment', or '.log' for a segment copied before. */
export function dataObjectSuffix(segment: Pick<RemoteSegment, 'indexRanges'>): string {
  return segment.indexRanges === undefined ? '.log' : segmentObjectSuffix
}

/** The indexes back to back, to follow the log bytes (which end at `logBytes`) in the segment's one
 * object (one PUT instead of five), with where each lies in that object. */
export function combineIndexes(
  logBytes: number,
  indexes: Record<RemoteIndexType, Buffer | null>,
): { bytes: Buffer; ranges: IndexRanges } {
  const ranges: IndexRanges = {}
  const parts: Buffer[] = []
  let at = logBytes
  for (const type of indexTypes) {
    const bytes = indexes[type]
    if (bytes === null) continue
    ranges[type] = [at, at + bytes.length]
    parts.push(bytes)
    at += bytes.length
  }
  return { bytes: Buffer.concat(parts), ranges }
}

function isIndexRanges(value: unknown): value is IndexRanges {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return Object.entries(value).every(
    ([type, range]) =>
      indexTypes.includes(type as RemoteIndexType) &&
      Array.isArray(range) &&
      range.length === 2 &&
      range.every(Number.isSafeInteger) &&
      0 <= range[0] &&
      range[0] <= range[1],
  )
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
    (segment.indexRanges === undefined || isIndexRanges(segment.indexRanges)) &&
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
  /** The next write, queued behind the one in progress and not started yet: changes made meanwhile
   * share it (one fsync for the STARTED and FINISHED records of several concurrent copies). */
  private queuedWrite: Promise<void> | null = null

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

  /** Adds or replaces several entries with one write. */
  async putAll(segments: readonly RemoteSegment[]): Promise<void> {
    const ids = new Set(segments.map((segment) => segment.id))
    this.entries = [...this.entries.filter((entry) => !ids.has(entry.id)), ...segments].sort(
      (a, b) => a.baseOffset - b.baseOffset,
    )
    await this.persist()
  }

  async remove(id: string): Promise<void> {
    await this.removeAll([id])
  }

  /** Removes several entries with one write. */
  async removeAll(ids: readonly string[]): Promise<void> {
    const removed = new Set(ids)
    this.entries = this.entries.filter((entry) => !removed.has(entry.id))
    await this.persist()
  }

  /** Resolves once a write that includes every change made so far is durable (group commit). */
  private persist(): Promise<void> {
    if (this.queuedWrite !== null) return this.queuedWrite
    const write = (): Promise<void> => {
      // From here on a change needs the next write: this one serialises the entries as they are now.
      this.queuedWrite = null
      return writeFileAtomic(
        this.file,
        JSON.stringify({ version: 1, segments: this.entries } satisfies MetadataFileContents),
      )
    }
    const result = this.writeChain.then(write, write)
    this.queuedWrite = result
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
