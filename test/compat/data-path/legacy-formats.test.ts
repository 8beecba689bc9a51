// Goal: old clients work: message sets in magic v0 and v1 (plain, gzip, snappy, lz4 with Kafka's
// legacy lz4 header checksum) sent with Produce v0-v2 are stored and read back exactly; Fetch v0-v3
// get every record down-converted to the magic those versions know (v0/v1 -> magic 0 without
// timestamps or headers, v2/v3 -> magic 1 with timestamps, no headers) while Fetch v4 returns the
// stored v2 batches; and zstd, which needs Produce v7 / Fetch v10 (KIP-110), is refused with
// UNSUPPORTED_COMPRESSION_TYPE (76) to older versions.
// Method: kafka-python's own protocol classes and record builders (kafka.protocol.produce,
// kafka.protocol.fetch, kafka.record) send each request version directly and parse the responses
// (clients/legacy_protocol.py); the broker runs as the CLI; the records each fetch version returns
// are compared exactly with what was produced.
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { ErrorCode } from '../../../src/protocol/generated/index.ts'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../../helpers/broker-process.ts'
import { requireClient } from '../../helpers/clients.ts'
import { CodecClient, createTopicsRequestBody } from '../../helpers/kafka-codec-client.ts'
import { runPython } from '../../helpers/python.ts'

const skip = requireClient('kafka-python')
const codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const

interface InputRecord {
  key: string | null
  value: string | null
  timestamp: number | null
  headers: [string, string][]
}

interface ProduceOperation {
  op: 'produce'
  version: number
  topic: string
  magic: 0 | 1 | 2
  codec: number
  records: InputRecord[]
}

interface FetchOperation {
  op: 'fetch'
  version: number
  topic: string
  offset: number
}

interface FetchedRecord {
  magic: number
  /** The compression of the batch (or wrapper message) holding the record. */
  codec?: number
  offset: number
  key: string | null
  value: string | null
  timestamp: number | null
  timestamp_type: number | null
  headers: [string, string | null][]
}

interface FetchResult {
  error_code: number
  high_watermark: number
  records: FetchedRecord[]
}

const scriptPath = join(import.meta.dirname, 'clients', 'legacy_protocol.py')

function zstdValue(index: number): string {
  return `zstd ${index} ${'compressible '.repeat(30)}`
}

/** Each produce in order; the record i of the whole list ends up at offset i. */
const produces: ProduceOperation[] = [
  {
    op: 'produce',
    version: 0,
    topic: 'legacy',
    magic: 0,
    codec: codec.none,
    records: [
      { key: 'k0', value: 'magic 0, v0', timestamp: null, headers: [] },
      { key: null, value: 'null key', timestamp: null, headers: [] },
      { key: 'null value', value: null, timestamp: null, headers: [] },
    ],
  },
  {
    op: 'produce',
    version: 1,
    topic: 'legacy',
    magic: 0,
    codec: codec.gzip,
    records: [
      { key: 'k3', value: 'magic 0 gzip', timestamp: null, headers: [] },
      { key: 'k4', value: 'magic 0 gzip again', timestamp: null, headers: [] },
    ],
  },
  {
    op: 'produce',
    version: 2,
    topic: 'legacy',
    magic: 1,
    codec: codec.none,
    records: [{ key: 'k5', value: 'magic 1', timestamp: 1_600_000_000_005, headers: [] }],
  },
  ...(['gzip', 'snappy', 'lz4'] as const).map(
    (name, index): ProduceOperation => ({
      op: 'produce',
      version: 2,
      topic: 'legacy',
      magic: 1,
      codec: codec[name],
      records: [0, 1].map((position) => {
        const offset = 6 + index * 2 + position
        return {
          key: `k${offset}`,
          value: `magic 1 ${name} ${offset}`,
          timestamp: 1_600_000_000_000 + offset,
          headers: [],
        }
      }),
    }),
  ),
  {
    op: 'produce',
    version: 3,
    topic: 'legacy',
    magic: 2,
    codec: codec.none,
    records: [
      { key: 'k12', value: 'magic 2 with headers', timestamp: 1_600_000_000_012, headers: [['h', 'one']] },
      {
        key: 'k13',
        value: 'magic 2 again',
        timestamp: 1_600_000_000_013,
        headers: [
          ['h', 'two'],
          ['x', 'y'],
        ],
      },
    ],
  },
]

const allRecords = produces.flatMap((operation) =>
  operation.records.map((record) => ({ ...record, producedCodec: operation.codec })),
)

/**
 * What Fetch at `version` must return for every record from offset `from`. Fetch v4+ returns the
 * stored batches, which keep the producer's codec (topic compression.type is "producer"); how a
 * down-converted message set is compressed is the broker's choice, so `codec` is left out there.
 */
function expectedRecords(version: number, from = 0): FetchedRecord[] {
  const magic = version <= 1 ? 0 : version <= 3 ? 1 : 2
  return allRecords.slice(from).map((record, index) => ({
    magic,
    ...(magic === 2 ? { codec: record.producedCodec } : {}),
    offset: from + index,
    key: record.key,
    value: record.value,
    // Magic 0 has no timestamp; records that arrived in magic 0 have none (-1) in later formats.
    timestamp: magic === 0 ? null : (record.timestamp ?? -1),
    timestamp_type: magic === 0 ? null : 0,
    headers: magic === 2 ? record.headers : [],
  }))
}

let broker: BrokerProcess
let workDir: string
let counter = 0

async function run(operations: (ProduceOperation | FetchOperation)[]): Promise<unknown[]> {
  const path = join(workDir, `operations-${counter++}.json`)
  await writeFile(path, JSON.stringify(operations))
  const script = await readFile(scriptPath, 'utf8')
  return (await runPython(script, {
    args: [broker.host, String(broker.port), path],
    timeoutMs: 60_000,
  })) as unknown[]
}

async function fetchOnce(topic: string, version: number, offset = 0): Promise<FetchResult> {
  const [raw] = await run([{ op: 'fetch', version, topic, offset }])
  const result = raw as FetchResult
  if (version < 4) {
    result.records = result.records.map(({ codec: _codec, ...record }) => record)
  }
  return result
}

before(async () => {
  if (skip) return
  workDir = await makeTempDir('streamline-legacy-')
  broker = await startBrokerProcess()
  const client = await CodecClient.open(broker.host, broker.port)
  try {
    const created = await client.request(
      19,
      7,
      createTopicsRequestBody([{ name: 'legacy' }, { name: 'legacy-zstd' }]),
    )
    assert.deepEqual(
      created.topics.map((topic) => topic.errorCode),
      [0, 0],
    )
  } finally {
    client.close()
  }
})

after(async () => {
  await broker?.stop()
  if (workDir) await removeTempDir(workDir)
})

test('Produce v0-v3 with magic 0, 1 and 2 message sets (plain, gzip, snappy, lz4) are acknowledged in order', {
  skip,
}, async () => {
  const results = await run(produces)
  let offset = 0
  const expected = produces.map((operation) => {
    const answer = { error_code: ErrorCode.NONE, offset }
    offset += operation.records.length
    return answer
  })
  assert.deepEqual(results, expected)
})

for (const version of [0, 1, 2, 3, 4]) {
  test(`Fetch v${version} returns every record as magic ${version <= 1 ? 0 : version <= 3 ? 1 : 2}, exactly`, {
    skip,
  }, async () => {
    const result = await fetchOnce('legacy', version)
    assert.equal(result.error_code, ErrorCode.NONE)
    assert.equal(result.high_watermark, allRecords.length)
    assert.deepEqual(result.records, expectedRecords(version))
  })
}

for (const version of [0, 2, 4]) {
  test(`Fetch v${version} from the middle of a batch returns that batch's later records`, {
    skip,
  }, async () => {
    const from = 9 // the second record of the magic 1 snappy message set (offsets 8-9)
    const result = await fetchOnce('legacy', version, from)
    assert.equal(result.error_code, ErrorCode.NONE)
    // Clients skip records below their fetch offset (a whole batch may come back).
    const fromOffset = result.records.filter((record) => record.offset >= from)
    assert.deepEqual(fromOffset, expectedRecords(version, from))
  })
}

test('zstd: Produce v3 gets UNSUPPORTED_COMPRESSION_TYPE (76), Produce v7 is accepted', {
  skip,
}, async () => {
  // Compressible values: kafka-python sends a v2 batch uncompressed when compression would not shrink it.
  const zstdRecords: InputRecord[] = [
    { key: 'z0', value: zstdValue(0), timestamp: 1_600_000_001_000, headers: [['h', 'z']] },
    { key: 'z1', value: zstdValue(1), timestamp: 1_600_000_001_001, headers: [] },
  ]
  const base = {
    op: 'produce',
    topic: 'legacy-zstd',
    magic: 2,
    codec: codec.zstd,
    records: zstdRecords,
  } as const
  const results = await run([
    { ...base, version: 3 },
    { ...base, version: 7 },
  ])
  assert.deepEqual(results, [
    { error_code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, offset: -1 },
    { error_code: ErrorCode.NONE, offset: 0 },
  ])
})

test('zstd: Fetch v0, v2 and v4 get UNSUPPORTED_COMPRESSION_TYPE (76) and no records; Fetch v10 reads it', {
  skip,
}, async () => {
  for (const version of [0, 2, 4]) {
    const result = await fetchOnce('legacy-zstd', version)
    assert.deepEqual(
      { error_code: result.error_code, records: result.records },
      { error_code: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, records: [] },
      `Fetch v${version}`,
    )
  }
  const result = await fetchOnce('legacy-zstd', 10)
  assert.equal(result.error_code, ErrorCode.NONE)
  assert.deepEqual(result.records, [
    {
      magic: 2,
      codec: codec.zstd,
      offset: 0,
      key: 'z0',
      value: zstdValue(0),
      timestamp: 1_600_000_001_000,
      timestamp_type: 0,
      headers: [['h', 'z']],
    },
    {
      magic: 2,
      codec: codec.zstd,
      offset: 1,
      key: 'z1',
      value: zstdValue(1),
      timestamp: 1_600_000_001_001,
      timestamp_type: 0,
      headers: [],
    },
  ])
})
