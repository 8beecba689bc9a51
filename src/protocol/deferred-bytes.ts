// Deferred byte fields: a response field whose bytes are not in memory when the response is encoded
// (Fetch's records, streamed from the log as they are read, like Kafka's FileRecords sent by
// `sendfile`). The generated encoders take a Buffer for byte fields and only need its length for the
// size prefix; a stand-in is a zero-byte Buffer that reports the field's length and is registered
// here. The Writer keeps it as a chunk of its own (never copies it), and the connection asks
// `deferredSourceOf` for each chunk it writes and streams the real bytes in its place.
// A stand-in must never be written or read as bytes: only the router's encode and the connection see it.

/** Where deferred bytes are written to: a socket (with back-pressure) as the connection sees it. */
export interface ByteSink {
  /** Queues `chunk`; `done` runs once the sink no longer needs it (the buffer may be reused then). */
  write(chunk: Buffer, done: () => void): void
  /** Resolves once the sink wants more (at once when it has room); rejects when the sink is gone. */
  ready(): Promise<void>
}

export interface DeferredBytes {
  readonly length: number
  /** Writes exactly `length` bytes to `sink`, or rejects (the response is then unusable). */
  writeTo(sink: ByteSink): Promise<void>
  /** Starts reading ahead (the field before it is still being written), so the send never waits. */
  prefetch?(): void
  /** Frees what the bytes hold (a retained segment) when they will not be written; also after writeTo. */
  discard(): void
}

const sources = new WeakMap<Buffer, DeferredBytes>()

/** A stand-in Buffer for `source` to put in a response's byte field. */
export function deferredBytesField(source: DeferredBytes): Buffer {
  const standIn = Buffer.alloc(0)
  Object.defineProperty(standIn, 'length', { value: source.length })
  sources.set(standIn, source)
  return standIn
}

/** The deferred bytes a response chunk stands for, if it is a stand-in. */
export function deferredSourceOf(chunk: Buffer): DeferredBytes | undefined {
  return sources.get(chunk)
}

/** Frees every deferred field among `chunks` (a response that will not be written). */
export function discardDeferred(chunks: readonly Buffer[]): void {
  for (const chunk of chunks) sources.get(chunk)?.discard()
}

/** Frees every deferred field inside a response object (one whose encoding failed, so no chunks exist
 * for `discardDeferred`): walks its arrays and objects; only stand-ins are touched. */
export function discardDeferredWithin(value: unknown): void {
  if (Buffer.isBuffer(value)) {
    sources.get(value)?.discard()
    return
  }
  if (typeof value !== 'object' || value === null) return
  const children = Array.isArray(value) ? value : Object.values(value)
  for (const child of children) discardDeferredWithin(child)
}
