// PostgresConnector (Debezium's class name io.debezium.connector.postgresql.PostgresConnector and its
// option names): an initial snapshot, then logical replication with the pgoutput plugin through a
// replication slot and a publication. One task (a slot is read by one connection).

import { type ConfigDef, ParsedConfig, type Properties } from '../../sdk/config-def.ts'
import type { SourceConnector, SourceTask } from '../../sdk/connector.ts'
import { connectVersion } from '../version.ts'
import { cdcDefinition } from './cdc-config.ts'
import { PostgresCdcTask } from './postgres-cdc-task.ts'

export class PostgresCdcConnector implements SourceConnector {
  readonly type = 'source'
  private properties: Properties = {}
  version(): string {
    return connectVersion
  }
  config(): ConfigDef {
    return cdcDefinition
  }
  start(properties: Properties): void {
    new ParsedConfig(cdcDefinition, properties)
    this.properties = properties
  }
  taskConfigs(): Properties[] {
    return [{ ...this.properties }]
  }
  stop(): void {}
  createTask(): SourceTask {
    return new PostgresCdcTask()
  }
}
