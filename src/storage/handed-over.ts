// Batches handed to `append` by a producer that never touches them again: the in-process client's
// (src/embedded/client/producer.ts), built by buildBatch for this one append. The in-memory engine
// keeps such a buffer as it is instead of copying it, and append validation does not compute its
// CRC32C a second time (buildBatch computed it over these very bytes; every other check still runs).
// Any other buffer (a slice of a network frame, a caller's buffer that may be reused) is copied and
// fully checked, as before. A WeakSet: nothing is kept alive by the mark.

const handedOver = new WeakSet<Buffer>()

/** Marks `batches` as given to the log for good; returns it. */
export function handOver(batches: Buffer): Buffer {
  handedOver.add(batches)
  return batches
}

export function isHandedOver(batches: Buffer): boolean {
  return handedOver.has(batches)
}
