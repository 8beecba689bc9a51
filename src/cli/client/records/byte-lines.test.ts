// Goal: byteLines gives the lines readline would, however the stream is cut into chunks. Method: one
// text cut at every position into two chunks (and into one-byte chunks), lines compared as strings.
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { byteLines } from './byte-lines.ts'

async function linesOf(chunks: string[]): Promise<string[]> {
  const lines: string[] = []
  for await (const some of byteLines(Readable.from(chunks.map((chunk) => Buffer.from(chunk))))) {
    for (const line of some) lines.push(line.toString())
  }
  return lines
}

test('lines end at \\n or \\r\\n wherever a chunk is cut; a last line without an end counts', async () => {
  const text = 'alpha\r\nbeta\n\ngamma\r\n\r\ndelta'
  const expected = ['alpha', 'beta', '', 'gamma', '', 'delta']
  for (let cut = 0; cut <= text.length; cut++) {
    assert.deepEqual(await linesOf([text.slice(0, cut), text.slice(cut)]), expected, `cut at ${cut}`)
  }
  assert.deepEqual(await linesOf([...text]), expected, 'one byte per chunk')
})

test('an empty end after the last line end is no line; a long line spans many chunks', async () => {
  assert.deepEqual(await linesOf(['a\n', 'b\n']), ['a', 'b'])
  assert.deepEqual(await linesOf([]), [])
  assert.deepEqual(await linesOf(['x'.repeat(10), 'y'.repeat(10), 'z\r', '\nnext\r']), [
    `${'x'.repeat(10)}${'y'.repeat(10)}z`,
    'next',
  ])
})
