// The storage interfaces. Storage speaks bytes and offsets, never wire structs: handlers decode a
// request, call these, and encode the response. Two engines implement them: the disk engine
// (log-manager.ts, partition-log.ts) and the in-memory engine (memory/). A later PostgreSQL/S3 engine
// implements the same interfaces.
//
// Offsets and timestamps are JavaScript numbers (safe integers: 2^53 offsets, ~285 000 years of
// milliseconds). Handlers convert the int64 (bigint) wire fields at the boundary.

import type { RemoteStorageSnapshot } from './tiered/tiered-storage.ts'
import type { TopicConfig, TopicConfigOverrides } from './topic-config.ts'

export interface AppendOptions {
  /** acks=all: resolve only after the data is fdatasync'ed (shared with concurrent appends). */
  durable: boolean
  /** The leader epoch to stamp into each batch (partitionLeaderEpoch) and record in the epoch cache. */
  leaderEpoch?: number
  /** Time stamped into batches when the topic uses LogAppendTime; defaults to the engine clock. */
  logAppendTimeMs?: number
  /** 'client' (default): control batches are refused. 'coordinator': the transaction coordinator
   * writes control batches (markers) and offset commits without sequences. */
  origin?: 'client' | 'coordinator'
}

export interface AppendResult {
  baseOffset: number
  lastOffset: number
  /** The LogAppendTime stamped into the batches, or -1 when the topic uses CreateTime. */
  logAppendTimeMs: number
  logStartOffset: number
}

export type IsolationLevel = 'read_uncommitted' | 'read_committed'

export interface ReadOptions {
  /** read_committed stops at the last stable offset (equal to the high watermark until transactions). */
  isolation?: IsolationLevel
  /** A read of at least this many bytes from a local segment comes back as `slice` (its bytes not read
   * yet: Fetch streams them to the socket, like Kafka's FileRecords). Absent: always `records`. */
  sliceBytesMin?: number
  /** The reader takes whole batches one by one (the in-process client): an engine holding them apart
   * in memory returns them as `batches` instead of concatenating them into `records` (a copy of every
   * byte read). Engines that read from files ignore it. */
  batchesApart?: boolean
}

/** Whole batches of one segment, reserved but not read (Kafka's FileRecords slice): the segment stays
 * open until `release`, so retention or compaction cannot close it underneath. */
export interface LogSlice {
  readonly length: number
  /** Records in the slice (offsets from its first batch's base to its last batch's last offset). */
  readonly recordCount: number
  /** Reads `length` bytes starting `at` bytes into the slice into `buffer` (from 0); resolves the
   * bytes read (fewer only if the file lost them: the caller must not send a short slice). */
  readInto(buffer: Buffer, at: number, length: number): Promise<number>
  /** Ends the reservation; call exactly once. */
  release(): void
}

export interface ReadResult {
  /** Whole batches as stored; the first may start before the fetch offset (clients skip those records).
   * Empty when the fetch offset equals the end of the readable log. */
  records: Buffer
  highWatermark: number
  logStartOffset: number
  lastStableOffset: number
  /** read_committed only: transactions aborted over the returned range (their records are skipped
   * by the consumer up to each ABORT marker). */
  abortedTransactions?: { producerId: bigint; firstOffset: number }[]
  /** With `sliceBytesMin`: the batches as a slice of a segment; `records` is then empty. */
  slice?: LogSlice
  /** With `batchesApart`, from an engine holding batches in memory: the whole batches as stored (never
   * written to by readers); `records` is then empty. */
  batches?: readonly Buffer[]
  /**
   * True when `records` (or `batches`) are the very bytes the log checked (CRC32C included) when it appended them
   * and has kept in this process's memory since (the in-memory engine): a reader in this process
   * need not compute their CRC again. Bytes read back from files never carry it.
   */
  crcVerified?: boolean
}

export interface TimestampOffset {
  timestamp: number
  offset: number
}

export interface EpochEndOffset {
  /** The largest epoch ≤ the requested one known to the log, or -1. */
  leaderEpoch: number
  /** The start offset of the next higher epoch (or the log end offset), or -1. */
  endOffset: number
}

/** One producer a partition keeps idempotence/transaction state for (DescribeProducers). */
export interface ActiveProducer {
  producerId: bigint
  producerEpoch: number
  /** The last sequence it wrote here, or -1 when none is kept (e.g. after a marker of a newer epoch). */
  lastSequence: number
  /** The largest timestamp of its batches here, or -1. */
  lastTimestamp: number
  /** The first offset of its open transaction in this partition, or -1. */
  currentTxnStartOffset: number
}

/** Removes a listener registered with onAppend. */
export type Unsubscribe = () => void

/** Where a partition of a remote-storage topic keeps its data (HTTP API, `topics describe`). */
export interface RemoteStorageState {
  /** First offset on local disk (ListOffsets -4). */
  localLogStartOffset: number
  /** Last offset copied to the remote store (ListOffsets -5), or -1. */
  latestTieredOffset: number
  localSizeBytes: number
  remoteSizeBytes: number
  remoteSegments: number
  /** Local bytes not copied yet (the upload lag). */
  pendingUploadBytes: number
}

/** One partition's log. All methods are safe to call concurrently: appends are serialized inside. */
export interface PartitionLog {
  readonly topic: string
  readonly partition: number
  /** Next offset to be assigned. */
  readonly logEndOffset: number
  /** Offset up to which consumers may read; equal to the log end offset on a single broker. */
  readonly highWatermark: number
  /** Equal to the high watermark until transactions exist. */
  readonly lastStableOffset: number
  /** First offset still readable. */
  readonly logStartOffset: number
  /** Bytes of batches stored. */
  readonly sizeBytes: number
  /** Tiered storage: the first offset on local disk (ListOffsets -4); absent: the log start offset. */
  readonly localLogStartOffset?: number
  /** Tiered storage: the last offset copied to remote storage (ListOffsets -5), or -1. */
  readonly latestTieredOffset?: number
  /** Tiered storage: local vs remote offsets and sizes; null when the topic keeps no remote data. */
  remoteStorageState?(): RemoteStorageState | null

  /** Validates `batches` (one or more v2 batches), assigns offsets, writes them. Throws KafkaError
   * (CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, REQUEST_TIMED_OUT when the queue is full) or StorageError. */
  append(batches: Buffer, options: AppendOptions): Promise<AppendResult>
  /** Whole batches from the one containing `fetchOffset`, up to `maxBytes` but at least one batch.
   * Throws KafkaError OFFSET_OUT_OF_RANGE when fetchOffset < logStartOffset or > logEndOffset. */
  read(fetchOffset: number, maxBytes: number, options?: ReadOptions): Promise<ReadResult>
  /** The first record whose timestamp is ≥ `timestampMs` (its offset and timestamp), or null. */
  offsetForTimestamp(timestampMs: number): Promise<TimestampOffset | null>
  /** The largest timestamp in the log and the offset of the record holding it, or null if empty. */
  maxTimestampOffset(): Promise<TimestampOffset | null>
  /** DeleteRecords: advances the log start offset to `offset` (≤ high watermark), persisted.
   * Returns the new log start offset. */
  deleteRecordsBefore(offset: number): Promise<number>
  /** OffsetForLeaderEpoch (Kafka's LeaderEpochFileCache.endOffsetFor). */
  endOffsetForEpoch(leaderEpoch: number): EpochEndOffset
  /** The latest leader epoch recorded, or -1. */
  readonly latestEpoch: number
  /** The producers this partition keeps state for, by producer id (read-only; DescribeProducers). */
  activeProducers(): ActiveProducer[]
  /** Calls `listener(logEndOffset)` after each append. At most appendListenersMax per partition. */
  onAppend(listener: (logEndOffset: number) => void): Unsubscribe
  /** Resolves true when logEndOffset > `offset`, false after `timeoutMs` or when `signal` aborts. */
  waitForAppend(offset: number, options: { timeoutMs: number; signal?: AbortSignal }): Promise<boolean>
}

export interface TopicDescription {
  name: string
  /** UUID (8-4-4-4-12 hex); the wire form is its 16 bytes. */
  topicId: string
  partitionCount: number
  /** Overrides as given (Kafka names), for DescribeConfigs. */
  configOverrides: TopicConfigOverrides
  /** The effective typed config (defaults + overrides). */
  config: TopicConfig
}

export interface CreateTopicOptions {
  partitionCount: number
  configOverrides?: TopicConfigOverrides
}

/** Topics and their partition logs. */
export interface LogManager {
  /** Persisted identity of this data dir (22 characters, base64url of a UUID, as Kafka's cluster.id). */
  readonly clusterId: string
  /** Throws KafkaError TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_CONFIG. */
  createTopic(name: string, options: CreateTopicOptions): Promise<TopicDescription>
  /** Atomic: after a crash the topic is either whole or gone. Throws UNKNOWN_TOPIC_OR_PARTITION. */
  deleteTopic(name: string): Promise<void>
  /** Grows the topic to `partitionCount` partitions. Throws INVALID_PARTITIONS when not larger. */
  addPartitions(name: string, partitionCount: number): Promise<TopicDescription>
  /** Replaces the topic's overrides (AlterConfigs). Throws INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION. */
  setTopicConfig(name: string, configOverrides: TopicConfigOverrides): Promise<TopicDescription>
  /** The checks setTopicConfig makes that depend on the topic's current config (turning remote storage
   * off, remote storage on this engine), without changing anything: for validate_only requests.
   * Throws what setTopicConfig would. Absent: the engine has no such checks. */
  validateTopicConfig?(name: string, configOverrides: TopicConfigOverrides): void
  /** Replaces the broker-wide topic defaults (a dynamic broker config such as log.retention.ms);
   * topics without their own override follow at once. Throws INVALID_CONFIG. */
  setDefaultConfigOverrides(defaultOverrides: TopicConfigOverrides): Promise<void>
  listTopics(): TopicDescription[]
  getTopic(name: string): TopicDescription | undefined
  getTopicById(topicId: string): TopicDescription | undefined
  /** The log of one partition, or undefined when the topic or partition does not exist. */
  partition(topic: string, partition: number): PartitionLog | undefined
  /** Tiered storage: counters and per-partition remote sizes for /metrics; absent or null when off. */
  remoteStorageSnapshot?(): RemoteStorageSnapshot | null
  /** Several log dirs (disk engine): every log dir, the data dir first. Absent: the engine has none. */
  logDirs?(): readonly string[]
  /** The log dir holding the partition, or undefined when it does not exist. */
  logDirOf?(topic: string, partition: number): string | undefined
  /** The log dir a partition is being moved to (AlterReplicaLogDirs), or undefined. */
  futureLogDirOf?(topic: string, partition: number): string | undefined
  /** Starts moving a partition to another log dir (answered once the move is marked on disk).
   * Throws LOG_DIR_NOT_FOUND, UNKNOWN_TOPIC_OR_PARTITION. */
  alterReplicaLogDir?(topic: string, partition: number, logDir: string): Promise<void>
  /** One pass of retention over every partition (also run by the background timer). */
  runRetention(): Promise<void>
  /** One pass of the log cleaner over every compacted partition (also run by the background timer). */
  runCompaction(): Promise<void>
  /** Flushes everything, writes checkpoints and the clean-shutdown marker. Appends after close fail. */
  close(): Promise<void>
}

/** The engine's notion of time; tests pass a controllable clock. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** The subset of pino's logger storage uses. */
export interface StorageLogger {
  info(object: object, message: string): void
  warn(object: object, message: string): void
  error(object: object, message: string): void
}
