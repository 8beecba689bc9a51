// The end offsets of partitions (ListOffsets, latest) on the generated codecs: where a tailing reader
// starts and where a catch-up read ends. Topic creation is in topics.ts.
import { ApiKey, ErrorCode } from '../../../src/protocol/generated/index.ts'
import {
  createDefaultListOffsetsPartition,
  createDefaultListOffsetsRequest,
  createDefaultListOffsetsTopic,
} from '../../../src/protocol/generated/list-offsets-request.ts'
import { KafkaConnection } from './kafka-connection.ts'

const listOffsetsVersion = 7
/** ListOffsets timestamp -1: the log end offset (the high watermark on one broker). */
const latestTimestamp = -1n

/** The end offset (next offset to be written) of each partition. */
export async function endOffsets(
  host: string,
  port: number,
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, bigint>> {
  const connection = await KafkaConnection.open(host, port)
  try {
    const response = await connection.request(ApiKey.ListOffsets, listOffsetsVersion, {
      ...createDefaultListOffsetsRequest(),
      replicaId: -1,
      topics: [
        {
          ...createDefaultListOffsetsTopic(),
          name: topic,
          partitions: partitions.map((partitionIndex) => ({
            ...createDefaultListOffsetsPartition(),
            partitionIndex,
            timestamp: latestTimestamp,
          })),
        },
      ],
    })
    const offsets = new Map<number, bigint>()
    for (const partition of response.topics[0]?.partitions ?? []) {
      if (partition.errorCode !== ErrorCode.NONE) {
        throw new Error(`ListOffsets ${topic}/${partition.partitionIndex}: error code ${partition.errorCode}`)
      }
      offsets.set(partition.partitionIndex, partition.offset)
    }
    return offsets
  } finally {
    connection.close()
  }
}
