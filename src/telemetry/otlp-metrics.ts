// OTLP metrics as clients push them (KIP-714: an OpenTelemetry MetricsData v1 protobuf message, the
// same bytes as an OTLP/HTTP ExportMetricsServiceRequest). Two jobs:
//  - decodeMetricsData: every data point of gauges, sums and histograms with its attributes, for
//    /metrics; the whole payload is walked, so a malformed one is refused (INVALID_RECORD) before
//    anything is kept or forwarded;
//  - withResourceAttributes: the payload with attributes added to each resource (client_instance_id,
//    client_id, …, as Kafka's KIP asks a broker to add), by appending a second `resource` field to each
//    ResourceMetrics: protobuf merges repeated occurrences of a message field, and concatenates its
//    repeated `attributes`, so the client's bytes are forwarded as they came.
// Field numbers: opentelemetry-proto metrics/v1/metrics.proto and common/v1/common.proto.

import {
  bytesOf,
  doubleOf,
  fieldsOf,
  lengthDelimited,
  malformed,
  numberOf,
  type ProtobufField,
  stringOf,
} from './protobuf-wire.ts'

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary'

export interface MetricPoint {
  attributes: Record<string, string>
  /** Gauge/sum: the value; histograms and summaries: the sum of observations (count in `count`). */
  value: number
  count?: number
  timeUnixNano: bigint
}

export interface DecodedMetric {
  name: string
  kind: MetricKind
  unit: string
  points: MetricPoint[]
}

export interface DecodedMetricsData {
  resourceAttributes: Record<string, string>
  metrics: DecodedMetric[]
}

/** Metric.data oneof field numbers. */
const kindOfField: Record<number, MetricKind> = {
  5: 'gauge',
  7: 'sum',
  9: 'histogram',
  10: 'exponential_histogram',
  11: 'summary',
}

/** Walks the whole payload; throws KafkaError(INVALID_RECORD) when it is not valid MetricsData. */
export function decodeMetricsData(payload: Buffer): DecodedMetricsData {
  const decoded: DecodedMetricsData = { resourceAttributes: {}, metrics: [] }
  for (const field of fieldsOf(payload)) {
    if (field.fieldNumber !== 1) continue
    for (const resourceField of fieldsOf(bytesOf(field))) {
      if (resourceField.fieldNumber === 1) {
        for (const attribute of fieldsOf(bytesOf(resourceField))) {
          if (attribute.fieldNumber === 1) addKeyValue(decoded.resourceAttributes, attribute)
        }
      } else if (resourceField.fieldNumber === 2) {
        decodeScopeMetrics(bytesOf(resourceField), decoded.metrics)
      }
    }
  }
  return decoded
}

function decodeScopeMetrics(scopeMetrics: Buffer, into: DecodedMetric[]): void {
  for (const field of fieldsOf(scopeMetrics)) {
    // The scope (InstrumentationScope) is walked only to check it is well-formed.
    if (field.fieldNumber === 1) for (const _ of fieldsOf(bytesOf(field)));
    if (field.fieldNumber === 2) into.push(decodeMetric(bytesOf(field)))
  }
}

function decodeMetric(metricBytes: Buffer): DecodedMetric {
  const metric: DecodedMetric = { name: '', kind: 'gauge', unit: '', points: [] }
  for (const field of fieldsOf(metricBytes)) {
    if (field.fieldNumber === 1) metric.name = stringOf(field)
    else if (field.fieldNumber === 3) metric.unit = stringOf(field)
    else if (kindOfField[field.fieldNumber] !== undefined) {
      metric.kind = kindOfField[field.fieldNumber]
      for (const dataField of fieldsOf(bytesOf(field))) {
        if (dataField.fieldNumber === 1) metric.points.push(decodePoint(metric.kind, bytesOf(dataField)))
      }
    }
  }
  if (metric.name === '') throw malformed('a metric without a name')
  return metric
}

/** NumberDataPoint (attributes 7, time 3, as_double 4, as_int 6) or a histogram/summary point
 * (attributes 9, time 3, count 4, sum 5). */
function decodePoint(kind: MetricKind, pointBytes: Buffer): MetricPoint {
  const numeric = kind === 'gauge' || kind === 'sum'
  const point: MetricPoint = { attributes: {}, value: 0, timeUnixNano: 0n }
  for (const field of fieldsOf(pointBytes)) {
    const number = field.fieldNumber
    if (number === (numeric ? 7 : 9)) addKeyValue(point.attributes, field)
    else if (number === 3) point.timeUnixNano = numberOf(field)
    else if (numeric && number === 4) point.value = doubleOf(field)
    else if (numeric && number === 6) point.value = Number(BigInt.asIntN(64, numberOf(field)))
    else if (!numeric && number === 4) point.count = Number(numberOf(field))
    else if (!numeric && number === 5) point.value = doubleOf(field)
  }
  return point
}

/** KeyValue { key = 1; AnyValue value = 2 }: scalar values as text, others as their kind. */
function addKeyValue(into: Record<string, string>, field: ProtobufField): void {
  let key = ''
  let value = ''
  for (const part of fieldsOf(bytesOf(field))) {
    if (part.fieldNumber === 1) key = stringOf(part)
    else if (part.fieldNumber === 2) value = anyValueText(bytesOf(part))
  }
  into[key] = value
}

function anyValueText(anyValue: Buffer): string {
  let text = ''
  for (const field of fieldsOf(anyValue)) {
    switch (field.fieldNumber) {
      case 1:
        text = stringOf(field)
        break
      case 2:
        text = numberOf(field) === 0n ? 'false' : 'true'
        break
      case 3:
        text = String(BigInt.asIntN(64, numberOf(field)))
        break
      case 4:
        text = String(doubleOf(field))
        break
      default:
        bytesOf(field)
        text = `<${field.fieldNumber === 5 ? 'array' : field.fieldNumber === 6 ? 'kvlist' : 'bytes'}>`
    }
  }
  return text
}

/** The payload with `attributes` added to every ResourceMetrics' resource (see the header). */
export function withResourceAttributes(payload: Buffer, attributes: Record<string, string>): Buffer {
  const keyValues = Object.entries(attributes).map(([key, value]) =>
    lengthDelimited(
      1,
      Buffer.concat([
        lengthDelimited(1, Buffer.from(key)),
        lengthDelimited(2, lengthDelimited(1, Buffer.from(value))),
      ]),
    ),
  )
  const extraResource = lengthDelimited(1, Buffer.concat(keyValues))
  const parts: Buffer[] = []
  for (const field of fieldsOf(payload)) {
    if (field.fieldNumber !== 1) continue
    parts.push(lengthDelimited(1, Buffer.concat([bytesOf(field), extraResource])))
  }
  return Buffer.concat(parts)
}
