// Where a record goes in the bucket (Confluent's storage-common partitioners): the encoded partition
// (the directory under topics/<topic>/) and the object name <topic>+<kafkaPartition>+<startOffset><extension>
// (.json, .avro, .<codec>.parquet), the start offset zero-padded, so that writing the same records again gives the same name.

import { isStruct } from '../../sdk/data.ts'
import type { SinkRecord } from '../../sdk/records.ts'
import { formatTime } from '../../transforms/time-format.ts'
import { defaultPartitioner, fieldPartitioner } from './s3-sink-config.ts'

export interface PartitionerSettings {
  partitioner: string
  fields: string[]
  pathFormat: string
  durationMs: number
  extractor: string
  timestampField: string
}

export class PartitionerError extends Error {
  override name = 'org.apache.kafka.connect.errors.DataException'
}

/** The directory below topics/<topic>/ for this record. */
export function encodePartition(settings: PartitionerSettings, record: SinkRecord): string {
  if (settings.partitioner === defaultPartitioner) return `partition=${record.kafkaPartition}`
  if (settings.partitioner === fieldPartitioner) {
    if (!isStruct(record.value)) throw new PartitionerError('FieldPartitioner needs a struct or map value')
    const value = record.value
    return settings.fields
      .map((field) => {
        const part = value[field]
        if (part === undefined || part === null)
          throw new PartitionerError(`field ${field} is missing or null`)
        return `${field}=${String(part)}`
      })
      .join('/')
  }
  const timestamp = recordTime(settings, record)
  const start = settings.durationMs > 0 ? timestamp - (timestamp % settings.durationMs) : timestamp
  // Joda's YYYY (year of era) is yyyy here: both are the calendar year for years after 0.
  return formatTime(start, settings.pathFormat.replaceAll('YYYY', 'yyyy'))
}

function recordTime(settings: PartitionerSettings, record: SinkRecord): number {
  if (settings.extractor === 'Wallclock') return Date.now()
  if (settings.extractor === 'RecordField') {
    const value = isStruct(record.value) ? record.value[settings.timestampField] : undefined
    if (typeof value === 'number') return value
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value)
    throw new PartitionerError(`timestamp field ${settings.timestampField} is not a timestamp`)
  }
  if (record.timestamp === null) throw new PartitionerError('the record has no timestamp')
  return record.timestamp
}

export function objectKey(
  topicsDir: string,
  directory: string,
  record: { topic: string; kafkaPartition: number },
  startOffset: number,
  padWidth: number,
  extension: string,
): string {
  const prefix = topicsDir === '' ? '' : `${topicsDir.replace(/\/+$/, '')}/`
  const offset = String(startOffset).padStart(padWidth, '0')
  return `${prefix}${record.topic}/${directory}/${record.topic}+${record.kafkaPartition}+${offset}${extension}`
}
