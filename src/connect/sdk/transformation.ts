// Single message transforms and predicates (Kafka's org.apache.kafka.connect.transforms.Transformation
// and transforms.predicates.Predicate). A transform returns the new record, or null to drop it.

import type { ConfigDef, Properties } from './config-def.ts'
import type { ConnectRecord } from './records.ts'

export interface Transformation {
  config(): ConfigDef
  configure(properties: Properties): void
  apply<R extends ConnectRecord>(record: R): R | null
  close?(): void
}

export interface Predicate {
  config(): ConfigDef
  configure(properties: Properties): void
  test(record: ConnectRecord): boolean
}
