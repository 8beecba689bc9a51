// The lines of a stream as Buffers (views of the chunks read, no copy and no string per line), a
// chunk's worth at a time. Why: `produce --file` of a million lines through readline made a string
// and then a Buffer per line (bench/suite/workloads/cli.ts). Line ends are `\n` or `\r\n`, as
// readline reads them; a last line without a line end counts, an empty end after the last does not.
import type { Readable } from 'node:stream'

export async function* byteLines(stream: Readable): AsyncGenerator<Buffer[]> {
  let carry: Buffer | null = null
  for await (const read of stream) {
    const chunk = read as Buffer
    const lines: Buffer[] = []
    let start = 0
    if (carry !== null) {
      // The line cut at the previous chunk's end is completed here: only it is copied, not the chunk.
      const end = chunk.indexOf(0x0a)
      if (end === -1) {
        carry = Buffer.concat([carry, chunk])
        continue
      }
      lines.push(withoutCarriageReturn(Buffer.concat([carry, chunk.subarray(0, end)])))
      carry = null
      start = end + 1
    }
    for (let end = chunk.indexOf(0x0a, start); end !== -1; end = chunk.indexOf(0x0a, start)) {
      lines.push(chunk.subarray(start, end > start && chunk[end - 1] === 0x0d ? end - 1 : end))
      start = end + 1
    }
    // A line cut by the chunk's end is copied, so the chunk it came from can go.
    carry = start < chunk.length ? Buffer.from(chunk.subarray(start)) : null
    if (lines.length > 0) yield lines
  }
  if (carry !== null) yield [withoutCarriageReturn(carry)]
}

function withoutCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line
}
