// Single message transforms and predicates by Kafka's class names (`$Key`/`$Value` variants apart).

import type { PredicatePlugin, TransformPlugin } from '../runtime/plugins.ts'
import {
  ExtractField,
  Flatten,
  HoistField,
  InsertField,
  MaskField,
  ReplaceField,
  ValueToKey,
} from './field-transforms.ts'
import { bothParts } from './record-part.ts'
import {
  DropHeaders,
  Filter,
  HasHeaderKey,
  HeaderFrom,
  InsertHeader,
  RecordIsTombstone,
  RegexRouter,
  TimestampRouter,
  TopicNameMatches,
} from './routing-transforms.ts'
import { Cast, TimestampConverter } from './value-transforms.ts'

const base = 'org.apache.kafka.connect.transforms'

export const transformPlugins: TransformPlugin[] = [
  ...bothParts(`${base}.Cast`, (part) => new Cast(part)),
  { className: `${base}.DropHeaders`, create: () => new DropHeaders() },
  ...bothParts(`${base}.ExtractField`, (part) => new ExtractField(part)),
  { className: `${base}.Filter`, create: () => new Filter() },
  ...bothParts(`${base}.Flatten`, (part) => new Flatten(part)),
  ...bothParts(`${base}.HeaderFrom`, (part) => new HeaderFrom(part)),
  ...bothParts(`${base}.HoistField`, (part) => new HoistField(part)),
  ...bothParts(`${base}.InsertField`, (part) => new InsertField(part)),
  { className: `${base}.InsertHeader`, create: () => new InsertHeader() },
  ...bothParts(`${base}.MaskField`, (part) => new MaskField(part)),
  { className: `${base}.RegexRouter`, create: () => new RegexRouter() },
  ...bothParts(`${base}.ReplaceField`, (part) => new ReplaceField(part)),
  ...bothParts(`${base}.TimestampConverter`, (part) => new TimestampConverter(part)),
  { className: `${base}.TimestampRouter`, create: () => new TimestampRouter() },
  { className: `${base}.ValueToKey`, create: () => new ValueToKey() },
]

export const predicatePlugins: PredicatePlugin[] = [
  { className: `${base}.predicates.HasHeaderKey`, create: () => new HasHeaderKey() },
  { className: `${base}.predicates.RecordIsTombstone`, create: () => new RecordIsTombstone() },
  { className: `${base}.predicates.TopicNameMatches`, create: () => new TopicNameMatches() },
]
