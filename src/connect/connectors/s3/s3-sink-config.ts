// The S3 sink's options: Confluent's S3 sink connector names and defaults
// (io.confluent.connect.s3.S3SinkConnector and its storage-common partitioners).

import { atLeast, type ConfigDef, oneOf } from '../../sdk/config-def.ts'

export const jsonFormat = 'io.confluent.connect.s3.format.json.JsonFormat'
export const avroFormat = 'io.confluent.connect.s3.format.avro.AvroFormat'
export const parquetFormat = 'io.confluent.connect.s3.format.parquet.ParquetFormat'
/** Avro container codecs written here (Confluent's avro.codec also offers bzip2, xz, zstandard). */
export const avroCodecs = ['null', 'deflate', 'snappy'] as const
/** Parquet codecs written here (Confluent's parquet.codec also offers lz4). */
export const parquetCodecs = ['none', 'snappy', 'gzip', 'zstd', 'brotli'] as const
export const defaultPartitioner = 'io.confluent.connect.storage.partitioner.DefaultPartitioner'
export const fieldPartitioner = 'io.confluent.connect.storage.partitioner.FieldPartitioner'
export const timeBasedPartitioner = 'io.confluent.connect.storage.partitioner.TimeBasedPartitioner'

export const s3SinkDefinition: ConfigDef = [
  { name: 's3.bucket.name', type: 'STRING', importance: 'HIGH', documentation: 'The S3 Bucket.' },
  {
    name: 's3.region',
    type: 'STRING',
    defaultValue: 'us-west-2',
    importance: 'MEDIUM',
    documentation: 'The AWS region to be used the connector.',
  },
  {
    name: 'store.url',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation:
      "Store's connection URL, if applicable (an S3-compatible endpoint: MinIO, R2, a local server).",
  },
  {
    name: 's3.path.style.access.enabled',
    type: 'BOOLEAN',
    defaultValue: true,
    importance: 'LOW',
    documentation: 'Use path-style access (bucket in the path), as S3-compatible stores need.',
  },
  {
    name: 'aws.access.key.id',
    type: 'STRING',
    defaultValue: null,
    importance: 'HIGH',
    documentation: "The AWS access key ID (default: the SDK's credential chain).",
  },
  {
    name: 'aws.secret.access.key',
    type: 'PASSWORD',
    defaultValue: null,
    importance: 'HIGH',
    documentation: 'The secret access key.',
  },
  {
    name: 'topics.dir',
    type: 'STRING',
    defaultValue: 'topics',
    importance: 'HIGH',
    documentation: 'Top level directory to store the data ingested from Kafka.',
  },
  {
    name: 'flush.size',
    type: 'INT',
    importance: 'HIGH',
    documentation: 'Number of records written to store before invoking file commits.',
    validate: atLeast(1),
  },
  {
    name: 'rotate.interval.ms',
    type: 'LONG',
    defaultValue: -1,
    importance: 'HIGH',
    documentation:
      'The time interval in milliseconds to invoke file commits, by record timestamps (-1: off).',
  },
  {
    name: 'rotate.schedule.interval.ms',
    type: 'LONG',
    defaultValue: -1,
    importance: 'MEDIUM',
    documentation:
      'The time interval in milliseconds to periodically invoke file commits, by wall-clock time (-1: off).',
  },
  {
    name: 'format.class',
    type: 'CLASS',
    defaultValue: jsonFormat,
    importance: 'HIGH',
    documentation: 'The format class to use when writing data to the store.',
    validate: oneOf(jsonFormat, avroFormat, parquetFormat),
  },
  {
    name: 'avro.codec',
    type: 'STRING',
    defaultValue: 'null',
    importance: 'LOW',
    documentation: 'The Avro compression codec to be used for output files (null, deflate, snappy).',
    validate: oneOf(...avroCodecs),
  },
  {
    name: 'parquet.codec',
    type: 'STRING',
    defaultValue: 'snappy',
    importance: 'LOW',
    documentation:
      'The Parquet compression codec to be used for output files (none, snappy, gzip, zstd, brotli).',
    validate: oneOf(...parquetCodecs),
  },
  {
    name: 'partitioner.class',
    type: 'CLASS',
    defaultValue: defaultPartitioner,
    importance: 'HIGH',
    documentation: 'The partitioner to use when writing data to the store.',
    validate: oneOf(defaultPartitioner, fieldPartitioner, timeBasedPartitioner),
  },
  {
    name: 'partition.field.name',
    type: 'LIST',
    defaultValue: '',
    importance: 'MEDIUM',
    documentation: 'The name of the partitioning field when FieldPartitioner is used.',
  },
  {
    name: 'path.format',
    type: 'STRING',
    defaultValue: '',
    importance: 'MEDIUM',
    documentation:
      "TimeBasedPartitioner's directory pattern, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH (UTC).",
  },
  {
    name: 'partition.duration.ms',
    type: 'LONG',
    defaultValue: -1,
    importance: 'MEDIUM',
    documentation: 'The duration of a partition in milliseconds used by TimeBasedPartitioner.',
  },
  {
    name: 'timestamp.extractor',
    type: 'STRING',
    defaultValue: 'Record',
    importance: 'MEDIUM',
    documentation: 'Record (the Kafka timestamp), RecordField (timestamp.field of the value) or Wallclock.',
    validate: oneOf('Record', 'RecordField', 'Wallclock'),
  },
  {
    name: 'timestamp.field',
    type: 'STRING',
    defaultValue: 'timestamp',
    importance: 'MEDIUM',
    documentation: 'The record field to be used as timestamp by the timestamp extractor.',
  },
  {
    name: 'filename.offset.zero.pad.width',
    type: 'INT',
    defaultValue: 10,
    importance: 'LOW',
    documentation: "Width to zero-pad offsets in store's filenames.",
    validate: atLeast(0),
  },
  {
    name: 'behavior.on.null.values',
    type: 'STRING',
    defaultValue: 'fail',
    importance: 'LOW',
    documentation: 'How to handle records with a null value (tombstones): fail the task, or ignore them.',
    validate: oneOf('fail', 'ignore'),
  },
  {
    name: 's3.part.retries',
    type: 'INT',
    defaultValue: 3,
    importance: 'MEDIUM',
    documentation: 'Retries of an upload before the put fails (then retried by the runtime).',
    validate: atLeast(0),
  },
  {
    name: 's3.retry.backoff.ms',
    type: 'LONG',
    defaultValue: 200,
    importance: 'LOW',
    documentation: 'Backoff before the first upload retry (doubled each time).',
  },
]
