// Hands out producer ids for InitProducerId. Ids come in blocks: before the first id of a block is
// used, the end of the block is written durably to `<data dir>/producer-id-block`, so an id is never
// handed out twice, even after a crash (a restart skips to the next block). Without a data dir (the
// in-memory engine) ids restart from 0 with the process, as the data does.

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../../storage/file-io.ts'

/** Ids reserved per durable write (Kafka's controller allocates blocks of 1000 too). */
const blockSize = 1000n
const blockFileName = 'producer-id-block'

export class ProducerIdManager {
  private readonly file: string | null
  private next = 0n
  private blockEnd = 0n
  private reserving: Promise<void> | null = null

  /** Cluster mode: blocks come from the metadata database (unique across brokers), not a local file. */
  private readonly allocateBlock: (() => Promise<bigint>) | null

  constructor(options: { dataDir?: string; allocateBlock?: () => Promise<bigint> }) {
    this.allocateBlock = options.allocateBlock ?? null
    this.file =
      options.dataDir === undefined || this.allocateBlock !== null
        ? null
        : path.join(options.dataDir, blockFileName)
  }

  /** Reads where the last run stopped; call once before generate(). */
  async load(): Promise<void> {
    if (this.file === null) return
    try {
      const text = (await readFile(this.file, 'utf8')).trim()
      if (!/^\d+$/.test(text))
        throw new Error(`${this.file} holds ${JSON.stringify(text)}, not a producer id`)
      this.next = BigInt(text)
      this.blockEnd = this.next
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }

  /** A producer id no one has had before. */
  async generate(): Promise<bigint> {
    while (this.next >= this.blockEnd) {
      this.reserving ??= this.reserveBlock().finally(() => {
        this.reserving = null
      })
      await this.reserving
    }
    const id = this.next
    this.next += 1n
    return id
  }

  private async reserveBlock(): Promise<void> {
    if (this.allocateBlock !== null) {
      this.next = await this.allocateBlock()
      this.blockEnd = this.next + blockSize
      return
    }
    const end = this.next + blockSize
    if (this.file !== null) await writeFileAtomic(this.file, `${end}\n`)
    this.blockEnd = end
  }
}
