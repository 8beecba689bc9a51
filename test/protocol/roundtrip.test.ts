// Goal: every generated codec (every message x every valid version) decodes exactly what it encodes.
// Method: random values built from each message's schema (nulls, empty and large arrays, unicode
// strings, unknown tagged fields) are encoded, decoded and compared field by field; the reader must
// consume every byte. Also checks the `ignorable` rule and that truncated input fails with a
// DecodeError instead of returning a wrong value.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DecodeError, EncodeError } from '../../src/errors.ts'
import { allMessageSchemas } from '../../src/protocol/generated/schemas.ts'
import { Reader } from '../../src/protocol/reader.ts'
import { inSpan, type MessageSchema } from '../../src/protocol/schema.ts'
import { Writer } from '../../src/protocol/writer.ts'
import { Random, randomStruct } from './random-message.ts'

function versionsOf(schema: MessageSchema): number[] {
  const versions: number[] = []
  for (let version = schema.validVersions[0]; version <= schema.validVersions[1]; version++)
    versions.push(version)
  return versions
}

function encode(schema: MessageSchema, version: number, value: unknown): Buffer {
  const encoder = schema.encoders[version]
  assert.ok(encoder, `${schema.name} has no encoder for v${version}`)
  const writer = new Writer()
  encoder(writer, value)
  return writer.toBuffer()
}

function decode(
  schema: MessageSchema,
  version: number,
  bytes: Buffer,
): { value: unknown; remaining: number } {
  const decoder = schema.decoders[version]
  assert.ok(decoder, `${schema.name} has no decoder for v${version}`)
  const reader = new Reader(bytes)
  const value = decoder(reader)
  return { value, remaining: reader.remaining }
}

describe('generated codecs round-trip', () => {
  it('covers every message of the spec', () => {
    assert.equal(allMessageSchemas.length, 186 + 32)
  })

  for (const schema of allMessageSchemas) {
    it(`${schema.name} v${schema.validVersions[0]}-${schema.validVersions[1]}`, () => {
      const random = new Random(schema.name.length * 7919 + (schema.apiKey ?? 0))
      for (const version of versionsOf(schema)) {
        const flexible = inSpan(schema.flexibleVersions, version)
        for (let round = 0; round < 6; round++) {
          const arrayLengthMax = round === 5 ? 60 : 3
          const value = randomStruct(schema.root, { version, flexible, random, arrayLengthMax })
          const bytes = encode(schema, version, value)
          const decoded = decode(schema, version, bytes)
          assert.equal(decoded.remaining, 0, `${schema.name} v${version} left bytes unread`)
          assert.deepStrictEqual(decoded.value, value, `${schema.name} v${version} round ${round}`)
        }
      }
    })
  }
})

describe('generated codecs on bad input', () => {
  it('fails truncated input with a DecodeError naming the offset, never a wrong value', () => {
    const random = new Random(42)
    for (const schema of allMessageSchemas) {
      for (const version of versionsOf(schema)) {
        const flexible = inSpan(schema.flexibleVersions, version)
        const value = randomStruct(schema.root, { version, flexible, random, arrayLengthMax: 2 })
        const bytes = encode(schema, version, value)
        if (bytes.length === 0) continue
        const cut = random.integer(0, bytes.length - 1)
        assert.throws(
          () => decode(schema, version, bytes.subarray(0, cut)),
          (error: unknown) => error instanceof DecodeError,
          `${schema.name} v${version} cut at ${cut}/${bytes.length}`,
        )
      }
    }
  })

  it('rejects an array count larger than the bytes that follow, before allocating', () => {
    const metadata = allMessageSchemas.find((schema) => schema.name === 'MetadataRequest')
    assert.ok(metadata)
    const bytes = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1])
    assert.throws(() => decode(metadata, 1, bytes), /array of 2147483647 elements cannot fit in 4 bytes/)
  })
})

describe('ignorable fields', () => {
  it('refuses to encode a non-default value into a version that lacks a non-ignorable field', () => {
    const metadata = allMessageSchemas.find((schema) => schema.name === 'MetadataResponse')
    assert.ok(metadata)
    const random = new Random(7)
    const value = randomStruct(metadata.root, { version: 10, flexible: true, random, arrayLengthMax: 0 })
    value.clusterAuthorizedOperations = 5 // present v8-10 only, not ignorable
    assert.throws(
      () => encode(metadata, 11, value),
      (error: unknown) => error instanceof EncodeError,
    )
    value.clusterAuthorizedOperations = -2147483648
    assert.doesNotThrow(() => encode(metadata, 11, value))
  })

  it('drops an ignorable field silently in versions that lack it', () => {
    const metadata = allMessageSchemas.find((schema) => schema.name === 'MetadataResponse')
    assert.ok(metadata)
    const random = new Random(8)
    const value = randomStruct(metadata.root, { version: 12, flexible: true, random, arrayLengthMax: 0 })
    value.throttleTimeMs = 250 // v3+, ignorable
    const decoded = decode(metadata, 0, encode(metadata, 0, value)).value as Record<string, unknown>
    assert.equal(decoded.throttleTimeMs, 0)
  })
})
