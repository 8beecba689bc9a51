// Collects printed records and hands them to stdout in chunks. Why: a pipe on Linux is written
// synchronously by Node, one write(2) per call; one call per record made a 1M-record consume spend
// most of its time in the kernel (bench/suite/workloads/cli.ts). The consume loop flushes at the end of
// every fetched batch, so `--follow` still shows each record as soon as it arrives.
import type { Output } from '../output.ts'

const chunkBytesMax = 256 * 1024

export class OutputBatch {
  readonly #output: Output
  #parts: Buffer[] = []
  #bytes = 0

  constructor(output: Output) {
    this.#output = output
  }

  /** Adds one printed record; true when the batch is full and should be flushed. */
  push(part: Buffer): boolean {
    this.#parts.push(part)
    this.#bytes += part.length
    return this.#bytes >= chunkBytesMax
  }

  /** Writes what is collected, waiting for the stream to drain when it asks to. */
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return
    const chunk = this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts, this.#bytes)
    this.#parts = []
    this.#bytes = 0
    if (!this.#output.write(chunk)) await this.#output.drain()
  }
}
