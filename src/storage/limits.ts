// Every bound of the storage engine, named, with its default and the reason for it.
// Callers (the broker handlers) feed these structures; none of them grows without a limit.

/** Appends waiting in one partition's write queue. Default 4096: far above what the in-flight request
 * limits of a few hundred connections produce; beyond it the append fails with REQUEST_TIMED_OUT and the
 * client retries, instead of the queue growing until the process runs out of memory. */
export const appendQueueDepthMax = 4096

/** Bytes gathered into one `writev` call by the write loop. Default 8 MiB: big enough to amortise the
 * syscall over many small batches, small enough that a slow disk does not hold a huge buffer list. */
export const writeGroupBytesMax = 8 * 1024 * 1024

/** Listeners on one partition's append event (Fetch long-polls). Default 10000: one per waiting fetch
 * request; the broker bounds pending fetches too, this is the storage side of the same limit. */
export const appendListenersMax = 10_000

/** Partitions opened (or closed) concurrently while opening (closing) a data dir. Default 64: keeps the libuv thread pool busy
 * without queuing thousands of file operations at once. */
export const partitionOpenConcurrencyMax = 64

/** Bytes read at a time when scanning batch headers (recovery, seeking from an index entry). Default
 * 64 KiB: covers the default index interval (4 KiB) many times, one positional read per step. */
export const scanChunkBytes = 64 * 1024

/** Largest batch recovery will read into memory to check its CRC. Default 256 MiB: above any sensible
 * `max.message.bytes`; a length prefix above it is treated as corruption (torn or garbage tail). */
export const recoveryBatchBytesMax = 256 * 1024 * 1024

/** Entries in the leader epoch cache. Default 10000: one per leadership change; older entries are
 * merged away (the oldest entry is dropped) since OffsetForLeaderEpoch only needs recent ones. */
export const leaderEpochEntriesMax = 10_000

/** Bytes one in-memory partition may hold when its retention is unlimited. Default 256 MiB: the memory
 * engine is for tests and ephemeral use; without it `retention.bytes=-1` would grow until OOM. */
export const memoryPartitionBytesMax = 256 * 1024 * 1024

/** Delay before the files of a deleted segment are closed and removed, so in-flight reads finish.
 * Default 60 s, Kafka's `file.delete.delay.ms`. Reads also hold a reference, see Segment.retain. */
export const segmentDeleteDelayMs = 60_000

/** Interval of the background maintenance tick (retention, flush.ms, recovery-point checkpoint).
 * Default 5 s; Kafka's `log.retention.check.interval.ms` is 5 minutes, we check more often because
 * the check is cheap. */
export const maintenanceIntervalMs = 5_000

/** Interval of writing the recovery-point checkpoint of a data dir. Default 60 s, Kafka's
 * `log.flush.offset.checkpoint.interval.ms`. */
export const recoveryPointCheckpointIntervalMs = 60_000

/** Partitions of one topic. Default 10000: far above real use; stops a CreateTopics with a huge count
 * from creating a million directories. */
export const topicPartitionsMax = 10_000

/** `producer.id.expiration.ms` (Kafka default 1 day): an idempotent producer silent this long is
 * forgotten by a partition, so producer state cannot grow without bound. */
export const producerIdExpirationMs = 86_400_000
