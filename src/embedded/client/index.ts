// The in-process client of a running Streamline (docs/embedded.md): producers, consumers and an admin
// client that call the broker's handlers directly (broker-calls.ts) instead of through a socket.

import type { RunningBroker } from '../../broker/start.ts'
import { InProcessAdmin } from './admin.ts'
import { BrokerCalls, type BrokerCallsOptions } from './broker-calls.ts'
import { InProcessConsumer } from './consumer.ts'
import type { ConsumerOptions } from './consumer-options.ts'
import { InProcessProducer, type ProducerOptions } from './producer.ts'
import { type RegistrySerdes, registrySerdes } from './registry-serdes.ts'
import type { RecordBytes } from './types.ts'

export type { AdminTopic, CreateTopicInput, GroupDescription } from './admin.ts'
export type { AssignorName } from './assignors.ts'
export type { ConsumerOptions, RebalanceListener } from './consumer-options.ts'
export type { IsolationLevelName } from './offsets.ts'
export type { PartitionerName } from './partitioners.ts'
export type { ProducerOptions } from './producer.ts'
export type {
  AvroDeserializerOptions,
  AvroSerializerOptions,
  JsonSchemaDeserializerOptions,
  JsonSchemaSerializerOptions,
  ProtobufSerializerOptions,
  RegistrySerdes,
  RegistrySerializerOptions,
  SchemaReferenceInput,
  SubjectNameStrategy,
} from './registry-serdes.ts'
export * from './serdes.ts'
export type * from './types.ts'
export { InProcessAdmin, InProcessConsumer, InProcessProducer }

/** The in-process client; its registry serdes (Avro, Protobuf, JSON Schema) use the broker's registry. */
export interface InProcessClient extends RegistrySerdes {
  producer<K = RecordBytes | null, V = RecordBytes | null>(
    options?: ProducerOptions<K, V>,
  ): InProcessProducer<K, V>
  consumer<K = Buffer | null, V = Buffer | null>(options?: ConsumerOptions<K, V>): InProcessConsumer<K, V>
  admin(): InProcessAdmin
}

export function inProcessClient(broker: RunningBroker, options: BrokerCallsOptions = {}): InProcessClient {
  const calls = new BrokerCalls(broker.services, options)
  return {
    ...registrySerdes(broker.registry),
    producer: (producerOptions) => new InProcessProducer(calls, producerOptions),
    consumer: (consumerOptions) => new InProcessConsumer(calls, consumerOptions),
    admin: () => new InProcessAdmin(calls),
  }
}
