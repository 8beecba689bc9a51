// Partitioners for records sent without a partition. The default puts a keyed record where the Java
// client, librdkafka's murmur2 partitioner and kafkajs's DefaultPartitioner put it, so a key's records
// share a partition whoever produced them; keyless records go round-robin.

import { partitionForKey } from '../../http/message-codec.ts'
import type { Partitioner } from './types.ts'

export type PartitionerName = 'default' | 'roundRobin'

export function partitionerOf(choice: PartitionerName | Partitioner | undefined): Partitioner {
  if (typeof choice === 'function') return choice
  let next = 0
  const roundRobin: Partitioner = ({ partitionCount }) => {
    next = (next + 1) % 0x7fffffff
    return next % partitionCount
  }
  if (choice === 'roundRobin') return roundRobin
  return (input) =>
    input.key === null ? roundRobin(input) : partitionForKey(input.key, input.partitionCount)
}
