// Atomic replacement of closed segments by their cleaned version, and its completion after a crash.
//
//   1. the cleaner writes `<base>.log.cleaned` (+ `.index.cleaned`, `.timeindex.cleaned`) and fsyncs;
//   2. commit point: `<base>.swap` is written atomically, listing the base offsets being replaced;
//   3. the replaced segments other than `<base>` are unlinked, the `.cleaned` files are renamed over
//      `<base>`'s files, the directory is fsynced;
//   4. `<base>.swap` is removed.
//
// After a crash: with no `.swap` file the cleaning did not commit, so `.cleaned` files are deleted and
// the old segments stand; with a `.swap` file, step 3 is redone (it is idempotent) and step 4 follows.
// Either way the log is whole: the old segments or the cleaned one, never a mix.

import { readdir, readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import { syncDirectory, unlinkIfExists, writeFileAtomic } from '../file-io.ts'
import { logSuffix, offsetIndexSuffix, segmentFileName, timeIndexSuffix } from '../segment.ts'

export const cleanedSuffix = '.cleaned'
export const swapSuffix = '.swap'
const segmentSuffixes = [logSuffix, offsetIndexSuffix, timeIndexSuffix] as const

/** Step 2: the commit point of a swap. */
export async function writeSwapManifest(
  directory: string,
  baseOffset: number,
  replaced: readonly number[],
): Promise<void> {
  await writeFileAtomic(
    path.join(directory, segmentFileName(baseOffset, swapSuffix)),
    `${replaced.join('\n')}\n`,
  )
}

/** Steps 3 and 4 (also the crash completion). Hooks let tests stop in the middle. */
export async function finishSwap(
  directory: string,
  baseOffset: number,
  replaced: readonly number[],
  hooks: { afterUnlink?: () => Promise<void> } = {},
): Promise<void> {
  for (const offset of replaced) {
    if (offset === baseOffset) continue
    for (const suffix of segmentSuffixes)
      await unlinkIfExists(path.join(directory, segmentFileName(offset, suffix)))
  }
  await hooks.afterUnlink?.()
  for (const suffix of segmentSuffixes) {
    const final = path.join(directory, segmentFileName(baseOffset, suffix))
    try {
      await rename(`${final}${cleanedSuffix}`, final)
    } catch (error) {
      // Already renamed by an earlier, interrupted run.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
  await syncDirectory(directory)
  await unlinkIfExists(path.join(directory, segmentFileName(baseOffset, swapSuffix)))
  await syncDirectory(directory)
}

/** Run when a partition opens: completes committed swaps, discards uncommitted cleanings. */
export async function completeInterruptedSwaps(directory: string): Promise<void> {
  const names = await readdir(directory)
  for (const name of names) {
    if (!name.endsWith(swapSuffix)) continue
    const baseOffset = Number(name.slice(0, 20))
    const replaced = (await readFile(path.join(directory, name), 'utf8'))
      .split('\n')
      .filter((line) => /^\d+$/.test(line))
      .map(Number)
    await finishSwap(directory, baseOffset, replaced)
  }
  for (const name of await readdir(directory)) {
    if (name.endsWith(cleanedSuffix)) await unlinkIfExists(path.join(directory, name))
  }
}
