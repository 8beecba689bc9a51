// The connectors bundled with Streamline, by Kafka's (or the well-known) class names.

import type { ConnectorPlugin } from '../runtime/plugins.ts'
import { DatagenConnector } from './datagen-source.ts'
import { FileStreamSinkConnector } from './file-stream-sink.ts'
import { FileStreamSourceConnector } from './file-stream-source.ts'
import { HttpSinkConnector } from './http-sink.ts'
import { PostgresCdcConnector } from './postgres/postgres-cdc-source.ts'
import { PostgresSinkConnector } from './postgres/postgres-sink.ts'
import { S3SinkConnector } from './s3/s3-sink.ts'

export const connectorPlugins: ConnectorPlugin[] = [
  {
    className: 'io.confluent.kafka.connect.datagen.DatagenConnector',
    aliases: ['DatagenConnector', 'Datagen'],
    create: () => new DatagenConnector(),
  },
  {
    className: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    aliases: ['FileStreamSource'],
    create: () => new FileStreamSourceConnector(),
  },
  {
    className: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    aliases: ['FileStreamSink'],
    create: () => new FileStreamSinkConnector(),
  },
  {
    className: 'io.debezium.connector.postgresql.PostgresConnector',
    aliases: ['PostgresConnector', 'PostgresCdcSource'],
    create: () => new PostgresCdcConnector(),
  },
  {
    className: 'io.confluent.connect.s3.S3SinkConnector',
    aliases: ['S3SinkConnector', 'S3Sink'],
    create: () => new S3SinkConnector(),
  },
  {
    className: 'io.confluent.connect.jdbc.JdbcSinkConnector',
    aliases: ['JdbcSinkConnector', 'PostgresSink'],
    create: () => new PostgresSinkConnector(),
  },
  {
    className: 'io.confluent.connect.http.HttpSinkConnector',
    aliases: ['HttpSinkConnector', 'HttpSink'],
    create: () => new HttpSinkConnector(),
  },
]
