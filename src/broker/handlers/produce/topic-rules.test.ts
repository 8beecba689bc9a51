// Goal: topic configs shape produced batches exactly as Kafka's LogValidator does.
// Method: batches built with the record library go through applyTopicRules under various topic
// configs; results are decoded and compared record by record, refusals by code and record errors.

import assert from 'node:assert/strict'
import { it } from 'node:test'
import { ErrorCode } from '../../../protocol/generated/index.ts'
import { buildBatch, decodeBatch } from '../../../protocol/records/batch-v2.ts'
import { CompressionCodec } from '../../../protocol/records/compression/index.ts'
import { defaultTopicConfig, type TopicConfig } from '../../../storage/topic-config.ts'
import { applyTopicRules, InvalidRecordsError } from './topic-rules.ts'

const nowMs = 1_700_000_000_000

function config(overrides: Partial<TopicConfig>): TopicConfig {
  return { ...defaultTopicConfig(), ...overrides }
}

async function batchOf(
  keys: (string | null)[],
  options: { timestamps?: number[]; compression?: CompressionCodec } = {},
) {
  return buildBatch({
    records: keys.map((key, index) => ({
      timestamp: options.timestamps?.[index] ?? nowMs,
      key: key === null ? null : Buffer.from(key),
      value: Buffer.from(`value-${index}`),
      headers: [{ key: 'h', value: Buffer.from(String(index)) }],
    })),
    compression: options.compression,
  })
}

it('stores batches unchanged under default configs (bytes in, bytes out)', async () => {
  const batch = await batchOf(['a', null])
  assert.equal(await applyTopicRules(batch, 't', config({}), nowMs), batch)
})

it('recompresses to the topic codec, keeping records, headers and timestamps', async () => {
  const batch = await batchOf(['a', 'b'], {
    compression: CompressionCodec.snappy,
    timestamps: [nowMs - 5, nowMs],
  })
  const stored = await applyTopicRules(batch, 't', config({ compressionType: 'gzip' }), nowMs)
  const before = await decodeBatch(batch)
  const after = await decodeBatch(stored)
  assert.equal(after.header.compression, CompressionCodec.gzip)
  assert.deepEqual(after.records, before.records)
})

it('refuses null keys on a compacted topic with per-record errors (INVALID_RECORD)', async () => {
  const batch = await batchOf(['a', null, 'c', null])
  await assert.rejects(
    applyTopicRules(batch, 'compacted', config({ cleanupPolicy: 'compact' }), nowMs),
    (error: unknown) => {
      assert.ok(error instanceof InvalidRecordsError)
      assert.equal(error.errorCode, ErrorCode.INVALID_RECORD)
      assert.deepEqual(
        error.recordErrors.map((entry) => entry.batchIndex),
        [1, 3],
      )
      return true
    },
  )
})

it('refuses CreateTime timestamps outside message.timestamp.before/after.max.ms (INVALID_TIMESTAMP)', async () => {
  const bounded = config({ messageTimestampBeforeMaxMs: 1000, messageTimestampAfterMaxMs: 500 })
  const ok = await batchOf(['a', 'b'], { timestamps: [nowMs - 1000, nowMs + 500] })
  assert.ok(await applyTopicRules(ok, 't', bounded, nowMs))
  const bad = await batchOf(['a', 'b', 'c'], { timestamps: [nowMs - 1001, nowMs, nowMs + 501] })
  await assert.rejects(applyTopicRules(bad, 't', bounded, nowMs), (error: unknown) => {
    assert.ok(error instanceof InvalidRecordsError)
    assert.equal(error.errorCode, ErrorCode.INVALID_TIMESTAMP)
    assert.deepEqual(
      error.recordErrors.map((entry) => entry.batchIndex),
      [0, 2],
    )
    return true
  })
})

it('does not check timestamps of LogAppendTime topics', async () => {
  const topic = config({ messageTimestampType: 'LogAppendTime', messageTimestampBeforeMaxMs: 1 })
  const batch = await batchOf(['a'], { timestamps: [0] })
  assert.equal(await applyTopicRules(batch, 't', topic, nowMs), batch)
})
