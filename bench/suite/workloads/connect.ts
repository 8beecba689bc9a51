// Kafka Connect (issue 16): the S3 sink's throughput against raw PUTs of the same objects to the same
// server, in the same run. A topic is filled first (JSON values of ~200 bytes), then an S3 sink
// (`io.confluent.connect.s3.S3SinkConnector`, JSON lines, flush.size records per object) is created
// on the in-process Connect worker of an embedded broker; the clock runs from the connector's creation
// until its last object exists. The raw side PUTs as many objects of the sink's mean object size, one
// after another (the sink task writes one object at a time), through the project's S3 client. The sink's
// rate counts from its first object to its last (the start is measured on its own). The
// S3 API server is an s3rver process on 127.0.0.1 (the test helper). No target is set by the issue:
// the ratio is reported.

import { Kafka, logLevel } from 'kafkajs'
import { startStreamline } from '../../../src/embedded/index.ts'
import { bufferBody } from '../../../src/storage/tiered/object-store.ts'
import { S3ObjectStore } from '../../../src/storage/tiered/s3-object-store.ts'
import { s3rverAccessKey, startS3Server } from '../../../test/helpers/s3-server.ts'
import type { BenchContext, Workload } from '../types.ts'

const mib = 1024 * 1024
const topic = 'bench-s3'

async function fill(bootstrap: string, records: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-connect', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  try {
    const padding = 'x'.repeat(160)
    for (let start = 0; start < records; start += 1_000) {
      const messages = Array.from({ length: Math.min(1_000, records - start) }, (_, index) => ({
        value: JSON.stringify({ id: start + index, at: 1_700_000_000_000 + start + index, padding }),
      }))
      await producer.send({ topic, acks: 1, messages })
    }
  } finally {
    await producer.disconnect()
  }
}

async function run(context: BenchContext): Promise<void> {
  const records = context.options.quick ? 10_000 : 100_000
  const flushSize = context.options.quick ? 1_000 : 5_000
  const server = await startS3Server('bench-connect')
  const streamline = await startStreamline({})
  const store = (prefix: string) =>
    S3ObjectStore.open({
      bucket: server.bucket,
      prefix,
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      accessKeyId: s3rverAccessKey,
      secretAccessKey: s3rverAccessKey,
      requestTimeoutMs: 30_000,
    })
  try {
    if (streamline.connectUrl === null) throw new Error('the embedded broker has no Connect worker')
    await fill(streamline.bootstrap, records)
    const objects = await store('')
    const lastKey = `topics/${topic}/partition=0/${topic}+0+${String(records - flushSize).padStart(10, '0')}.json`
    const started = performance.now()
    const created = await fetch(`${streamline.connectUrl}/connectors`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        name: 'bench-s3-sink',
        config: {
          'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
          topics: topic,
          'flush.size': String(flushSize),
          's3.bucket.name': server.bucket,
          'store.url': server.endpoint,
          's3.region': 'us-east-1',
          'aws.access.key.id': s3rverAccessKey,
          'aws.secret.access.key': s3rverAccessKey,
          'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
          'value.converter.schemas.enable': 'false',
        },
      }),
    })
    if (created.status !== 201)
      throw new Error(`creating the S3 sink: ${created.status} ${await created.text()}`)
    const deadline = Date.now() + (context.options.quick ? 120_000 : 600_000)
    let written = await objects.list(`topics/${topic}/`)
    let firstObjectMs: number | null = null
    while (!written.some((object) => object.key === lastKey)) {
      if (firstObjectMs === null && written.length > 0) firstObjectMs = performance.now() - started
      if (Date.now() > deadline) throw new Error(`the S3 sink wrote ${written.length} objects, not all`)
      await new Promise((resolve) => setTimeout(resolve, 100))
      written = await objects.list(`topics/${topic}/`)
    }
    const totalMs = performance.now() - started
    // Steady state: from the first object to the last (the start — connector, task, the group's
    // initial rebalance delay of 3 s as Kafka's — is reported on its own).
    const startMs = firstObjectMs ?? totalMs
    const sinkSeconds = Math.max(totalMs - startMs, 1) / 1000
    const sinkBytes = written.reduce((sum, object) => sum + object.sizeBytes, 0)
    const steadyBytes = (sinkBytes * (written.length - 1)) / written.length
    // The raw side: the same number of objects of the mean size, PUT one after another.
    const raw = await store('raw')
    const body = Buffer.alloc(Math.round(sinkBytes / written.length), 0x61)
    const putStarted = performance.now()
    for (let index = 0; index < written.length; index++) await raw.put(`object-${index}`, bufferBody(body))
    const putSeconds = (performance.now() - putStarted) / 1000
    const sinkRate = steadyBytes / mib / sinkSeconds
    const putRate = (body.length * written.length) / mib / putSeconds
    context.record({
      id: 'connect.s3Sink.recordsPerSec',
      label: 'connect: S3 sink, topic → JSON objects (after the first object)',
      value: (records - flushSize) / sinkSeconds,
      unit: 'records/s',
      details: { records, flushSize, objects: written.length },
    })
    context.record({
      id: 'connect.s3Sink.firstObjectMs',
      label: 'connect: S3 sink created → first object',
      value: startMs,
      unit: 'ms',
    })
    context.record({
      id: 'connect.s3Sink.mbPerSec',
      label: 'connect: S3 sink',
      value: sinkRate,
      unit: 'MB/s',
    })
    context.record({
      id: 'connect.s3RawPut.mbPerSec',
      label: 'connect: raw PUTs, same objects',
      value: putRate,
      unit: 'MB/s',
    })
    context.record({
      id: 'connect.s3Sink.vsRawPut',
      label: 'connect: S3 sink / raw PUT (same run)',
      value: sinkRate / putRate,
      unit: 'ratio',
      details: { basis: `sink ${sinkRate.toFixed(1)} MB/s / raw PUT ${putRate.toFixed(1)} MB/s` },
    })
  } finally {
    await streamline.close()
    await server.stop()
  }
}

export const connect: Workload = { name: 'connect', order: 68, run }
