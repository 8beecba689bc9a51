// Produce v9 with record batches built by the broker's own encoder (src/protocol/records/batch-v2.ts),
// sent on @platformatic/kafka's connection (SASL and TLS included) with the library's response parser.
// Why: the library encodes each record field into its own small Buffer; for `produce --file` of a
// million short lines that encoding and its garbage were most of the CLI's time
// (bench/suite/workloads/cli.ts, against kcat -P). Used by `produce` for uncompressed records whose
// header keys are text (what -H gives); everything else goes through the library's producer.
import type { Connection, Producer } from '@platformatic/kafka'
import { buildBatch } from '../../../protocol/records/batch-v2.ts'
import type { RecordInput } from '../../../protocol/records/record.ts'
import { loadPlatformatic } from '../kafka-clients.ts'

export const rawProduceVersion = 9

interface ProduceAnswer {
  responses: {
    name: string
    partitionResponses: { index: number; errorCode: number; baseOffset: bigint }[]
  }[]
}

type PlatformaticWriter = ReturnType<typeof import('@platformatic/kafka').Writer.create>

type RawProduceApi = {
  async(
    connection: Connection,
    acks: number,
    timeoutMs: number,
    topic: string,
    batches: [number, Buffer][],
  ): Promise<ProduceAnswer | undefined>
}

let api: Promise<RawProduceApi> | undefined

function rawProduceApi(): Promise<RawProduceApi> {
  api ??= (async () => {
    const { createAPI, produceV9, Writer } = await loadPlatformatic()
    // The same request produceV9.createRequest writes, with our batches in place of the library's.
    const createRequest = (
      acks: number,
      timeoutMs: number,
      topic: string,
      batches: [number, Buffer][],
    ): PlatformaticWriter => {
      const writer = Writer.create()
        .appendString(null) // transactional id
        .appendInt16(acks)
        .appendInt32(timeoutMs)
        .appendArray([topic], (topicWriter, name) => {
          topicWriter.appendString(name).appendArray(batches, (partitionWriter, [partition, batch]) => {
            partitionWriter
              .appendInt32(partition)
              .appendUnsignedVarInt(batch.length + 1)
              .append(batch)
          })
        })
        .appendTaggedFields()
      if (acks === 0) writer.context.noResponse = true
      return writer
    }
    return createAPI(0, rawProduceVersion, createRequest, produceV9.parseResponse) as unknown as RawProduceApi
  })()
  return api
}

/** Whether a broker serves Produce v9 (the request this file writes). */
export function servesRawProduce(apis: { apiKey: number; maxVersion: number }[]): boolean {
  const produceApi = apis.find((entry) => entry.apiKey === 0)
  return produceApi !== undefined && produceApi.maxVersion >= rawProduceVersion
}

export class RawProducer {
  readonly #producer: Producer
  readonly #topic: string
  readonly #leaders: number[]
  readonly #timeoutMs: number
  readonly #connections = new Map<number, Connection>()

  constructor(producer: Producer, topic: string, leaders: number[], timeoutMs: number) {
    this.#producer = producer
    this.#topic = topic
    this.#leaders = leaders
    this.#timeoutMs = timeoutMs
  }

  async #connection(node: number): Promise<Connection> {
    let connection = this.#connections.get(node)
    if (connection === undefined) {
      connection = (await this.#producer.connectToBrokers([node])).get(node)
      if (connection === undefined) throw new Error(`no connection to broker ${node}`)
      this.#connections.set(node, connection)
    }
    return connection
  }

  /** Sends one batch per partition (one request per leader); the base offset of each (-1 with acks=0). */
  async send(
    byPartition: Map<number, RecordInput[]>,
    acks: number,
  ): Promise<{ partition: number; offset: bigint }[]> {
    const produce = await rawProduceApi()
    const byLeader = new Map<number, [number, Buffer][]>()
    for (const [partition, records] of byPartition) {
      const leader = this.#leaders[partition] ?? 0
      const batch = await buildBatch({ records })
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), [partition, batch]])
    }
    const answers = await Promise.all(
      [...byLeader].map(async ([leader, batches]) =>
        produce.async(await this.#connection(leader), acks, this.#timeoutMs, this.#topic, batches),
      ),
    )
    const offsets: { partition: number; offset: bigint }[] = []
    for (const answer of answers) {
      for (const topic of answer?.responses ?? []) {
        for (const partition of topic.partitionResponses)
          offsets.push({ partition: partition.index, offset: partition.baseOffset })
      }
    }
    return offsets
  }
}
