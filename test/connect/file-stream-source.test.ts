// Goal: FileStreamSourceTask turns every line of a file into one record with Kafka's source offsets,
// whatever the read chunks do: lines that cross the 256 KiB reads (the next one read ahead while the
// current one is made into records), a last line without its newline yet (held back until it ends),
// lines appended after the task reached the end (a read ahead that found nothing is read again), \r\n
// endings, and a restart from a stored position. stop() with a read ahead pending closes cleanly.
// Method: the real task on a real file in a temporary directory; each record's value and position are
// compared with the file's own bytes.
import assert from 'node:assert/strict'
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { FileStreamSourceTask } from '../../src/connect/connectors/file-stream-source.ts'
import type { OffsetMap, SourceRecord } from '../../src/connect/sdk/records.ts'

let dir = ''

function started(file: string, stored: OffsetMap | null = null): FileStreamSourceTask {
  const task = new FileStreamSourceTask()
  task.start(
    { file, topic: 'lines', 'batch.size': '1000' },
    { offsetStorageReader: { offset: () => stored } },
  )
  return task
}

/** Polls until a poll answers nothing (the task then waited 200 ms at the end of the file). */
async function drain(task: FileStreamSourceTask): Promise<SourceRecord[]> {
  const all: SourceRecord[] = []
  for (;;) {
    const records = (await task.poll()) ?? []
    if (records.length === 0) return all
    all.push(...records)
  }
}

function positions(records: SourceRecord[]): number[] {
  return records.map((record) => (record.sourceOffset as { position: number }).position)
}

/** The byte position after each line of `text` (its newline included). */
function lineEnds(text: string): number[] {
  const ends: number[] = []
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1))
    ends.push(Buffer.byteLength(text.slice(0, index + 1)))
  return ends
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'streamline-file-source-'))
})
after(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('FileStreamSourceTask', () => {
  test('lines across many 256 KiB reads: every line once, in order, with the position after it', async () => {
    const file = join(dir, 'big.txt')
    // 20,000 lines of 1 to 97 bytes (some multi-byte UTF-8): about 1 MiB, so lines cross chunk ends.
    const lines = Array.from({ length: 20_000 }, (_, index) => `${index}:${'é'.repeat(index % 48)}`)
    const text = `${lines.join('\n')}\n`
    await writeFile(file, text)
    const task = started(file)
    const records = await drain(task)
    await task.stop()
    assert.deepEqual(
      records.map((record) => record.value),
      lines,
    )
    assert.deepEqual(positions(records), lineEnds(text))
    assert.deepEqual(records[0].sourcePartition, { filename: file })
  })

  test('a line is held back until its newline; lines appended at the end are read', async () => {
    const file = join(dir, 'growing.txt')
    await writeFile(file, 'one\r\ntw')
    const task = started(file)
    assert.deepEqual(
      (await drain(task)).map((record) => record.value),
      ['one'],
    )
    await appendFile(file, 'o\nthree\n')
    const later = await drain(task)
    assert.deepEqual(
      later.map((record) => record.value),
      ['two', 'three'],
    )
    assert.deepEqual(positions(later), [9, 15])
    await task.stop()
  })

  test('a file that ends exactly at a chunk: the empty read ahead is read again once the file grows', async () => {
    const file = join(dir, 'exact.txt')
    await writeFile(file, `${'y'.repeat(63)}\n`.repeat(4096)) // 262,144 bytes: one whole 256 KiB read
    const task = started(file)
    assert.equal((await drain(task)).length, 4096)
    await appendFile(file, 'tail\n')
    const later = await drain(task)
    await task.stop()
    assert.deepEqual(
      later.map((record) => record.value),
      ['tail'],
    )
    assert.deepEqual(positions(later), [262_149])
  })

  test('a restart from a stored position goes on after that line', async () => {
    const file = join(dir, 'resume.txt')
    await writeFile(file, 'a\nbb\nccc\n')
    const task = started(file, { position: 2 })
    const records = await drain(task)
    await task.stop()
    assert.deepEqual(
      records.map((record) => record.value),
      ['bb', 'ccc'],
    )
    assert.deepEqual(positions(records), [5, 9])
  })

  test('stop() with a read ahead in flight closes the file', async () => {
    const file = join(dir, 'stop.txt')
    await writeFile(file, `${'x'.repeat(99)}\n`.repeat(10_000))
    const task = started(file)
    const first = (await task.poll()) ?? []
    assert.equal(first.length, 1000)
    await task.stop()
    assert.deepEqual(await task.poll(), [])
  })
})
