// The buffer outside the V8 heap that holds kept answers (id-answers.ts, lookup-answers.ts). It
// starts small and doubles up to 4 MiB, so a registry whose kept answers are dropped by every write
// (a client registering and reading in turn) does not allocate 4 MiB per read: V8 counts an
// ArrayBuffer's whole length as external memory, and each 64 MiB of it brings a mark-compact. A grown
// arena is a copy: the old one is left as it is, since a socket may still be writing from it.

/** The most bytes an arena holds. */
export const arenaBytesMax = 4 * 1024 * 1024
const arenaBytesMin = 64 * 1024

/**
 * An arena with room for `size` more bytes after `used`: `arena` itself, or a larger one holding its
 * first `used` bytes; null when even the largest cannot (the caller drops its answers and starts over).
 */
export function arenaWithRoom(arena: Buffer | null, used: number, size: number): Buffer | null {
  if (arena !== null && used + size <= arena.length) return arena
  if (used + size > arenaBytesMax) return null
  let capacity = arena === null ? arenaBytesMin : arena.length
  while (capacity < used + size) capacity *= 2
  const grown = Buffer.allocUnsafeSlow(Math.min(capacity, arenaBytesMax))
  arena?.copy(grown, 0, 0, used)
  return grown
}
