// Builds random values for a generated message at one version, from its schema: fields present in
// that version get random values (null where the version allows it), absent fields keep their
// defaults, and flexible versions sometimes carry unknown tagged fields. Deterministic per seed.

import { type FieldSchema, inSpan, type StructSchema, type TypeSchema } from '../../src/protocol/schema.ts'

export class Random {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** mulberry32: small, fast and good enough to pick test values. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  chance(probability: number): boolean {
    return this.next() < probability
  }
  bytes(length: number): Buffer {
    const buffer = Buffer.alloc(length)
    for (let index = 0; index < length; index++) buffer[index] = this.integer(0, 255)
    return buffer
  }
}

const alphabet = ['a', 'Z', '0', '-', '_', 'é', 'ß', '日', '本', '🙂', ' ', '.']

export interface RandomOptions {
  version: number
  flexible: boolean
  random: Random
  /** Elements per array at most; a few tests use large arrays. */
  arrayLengthMax: number
}

function randomString(random: Random): string {
  const length = random.integer(0, 12)
  let text = ''
  for (let index = 0; index < length; index++) text += alphabet[random.integer(0, alphabet.length - 1)]
  return text
}

function randomUuid(random: Random): string {
  const hex = random.bytes(16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function randomPrimitive(name: string, random: Random): unknown {
  switch (name) {
    case 'bool':
      return random.chance(0.5)
    case 'int8':
      return random.integer(-128, 127)
    case 'int16':
      return random.integer(-32768, 32767)
    case 'uint16':
      return random.integer(0, 65535)
    case 'int32':
      return random.integer(-2147483648, 2147483647)
    case 'uint32':
      return random.integer(0, 4294967295)
    case 'int64':
      return random.bytes(8).readBigInt64BE(0)
    case 'float64':
      return random.bytes(8).readDoubleBE(0) || 0.5
    case 'string':
      return randomString(random)
    case 'uuid':
      return randomUuid(random)
    default:
      return random.bytes(random.integer(0, 40))
  }
}

function randomValue(type: TypeSchema, options: RandomOptions): unknown {
  if (type.kind === 'primitive') return randomPrimitive(type.name, options.random)
  if (type.kind === 'struct') return randomStruct(type.struct(), options)
  const length = options.random.integer(0, options.arrayLengthMax)
  return Array.from({ length }, () => randomValue(type.element, options))
}

function randomField(field: FieldSchema, options: RandomOptions): unknown {
  if (!inSpan(field.versions, options.version)) return field.defaultValue()
  if (inSpan(field.nullableVersions, options.version) && options.random.chance(0.2)) return null
  return randomValue(field.type, options)
}

export function randomStruct(struct: StructSchema, options: RandomOptions): Record<string, unknown> {
  const value: Record<string, unknown> = {}
  for (const field of struct.fields) value[field.name] = randomField(field, options)
  if (options.flexible && options.random.chance(0.3)) {
    // Tags far above any Kafka assigns, in increasing order as the encoder writes them.
    value.unknownTaggedFields = [
      { tag: 1000, data: options.random.bytes(options.random.integer(0, 5)) },
      { tag: 1001 + options.random.integer(0, 5), data: options.random.bytes(3) },
    ]
  }
  return value
}
