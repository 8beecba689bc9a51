// Goal: a type built by `checkedType` (avsc's build without its code generation) gives exactly what
// avsc's own build gives: the same verdict (the same error for an invalid schema) and the same
// schema back, for the Avro compatibility cases' schemas and for schemas whose defaults make avsc run
// the code it compiles during the build (record-typed defaults, union defaults, wrapped unions); and a
// plain record schema's checked build compiles nothing. Method: both builds of each schema side by
// side; compiled code counted by a counting stand-in for the global `Function` that avsc calls.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import type avro from 'avsc'
import { buildsWithoutCode, checkedType, compiledType } from './avro-types.ts'

const casesFile = join(import.meta.dirname, 'cases', 'avro.json')
const caseSchemas = Object.values(
  (JSON.parse(readFileSync(casesFile, 'utf8')) as { schemas: Record<string, string> }).schemas,
)

const record = (name: string, fields: unknown[]): string => JSON.stringify({ type: 'record', name, fields })
const inner = { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'int', default: 1 }] }
const tricky = [
  record('RecordDefault', [{ name: 'inner', type: inner, default: { x: 2 } }]),
  record('RecordDefaultMissingField', [
    {
      name: 'inner',
      type: { type: 'record', name: 'I2', fields: [{ name: 'y', type: 'string' }] },
      default: {},
    },
  ]),
  record('UnionRecordFirst', [{ name: 'u', type: [inner, 'null'], default: { x: 3 } }]),
  record('UnionNullFirst', [{ name: 'u', type: ['null', 'string'], default: null }]),
  record('UnionBadDefault', [{ name: 'u', type: ['null', 'string'], default: 'text' }]),
  record('WrappedUnion', [{ name: 'w', type: ['int', 'long'], default: 5 }]),
  record('MapOfRecords', [{ name: 'm', type: { type: 'map', values: inner }, default: { k: { x: 4 } } }]),
  record('ArrayOfRecords', [{ name: 'a', type: { type: 'array', items: inner }, default: [{ x: 5 }, {}] }]),
  record('BadIntDefault', [{ name: 'n', type: 'int', default: 'x' }]),
  record('EnumDefault', [
    { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'], default: 'B' }, default: 'A' },
  ]),
  record('BadEnumDefault', [{ name: 'e', type: { type: 'enum', name: 'E2', symbols: ['A'] }, default: 'Z' }]),
  record('Fixed', [
    { name: 'f', type: { type: 'fixed', name: 'F', size: 2 }, default: '\u0000\u0001' },
    { name: 'd', type: { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2 } },
  ]),
  record('Duplicate', [
    { name: 'a', type: 'int' },
    { name: 'a', type: 'long' },
  ]),
  record('Undefined', [{ name: 'a', type: 'Nowhere' }]),
  JSON.stringify({ type: 'error', name: 'Failure', fields: [{ name: 'stack', type: 'string' }] }),
  JSON.stringify({
    type: 'record',
    name: 'outer.Outer',
    namespace: 'ignored',
    aliases: ['Old'],
    fields: [{ name: 'self', type: ['null', 'outer.Outer'], default: null, doc: 'recursive' }],
  }),
  JSON.stringify({ type: 'string' }),
  JSON.stringify(['null', 'int']),
]

/** The schema back as the normalized text reads it (JSON, with attributes) or the build's error. */
function outcome(build: (schema: unknown, registry: Record<string, avro.Type>) => avro.Type, text: string) {
  try {
    return { schema: JSON.stringify(build(JSON.parse(text), {}).schema({ exportAttrs: true })) }
  } catch (error) {
    return { error: (error as Error).message }
  }
}

/** How many functions `run` compiles with `new Function` (avsc's code generation). */
function compiledBy(run: () => void): number {
  const original = globalThis.Function
  let compiled = 0
  globalThis.Function = new Proxy(original, {
    construct(target, args: unknown[]) {
      compiled++
      return Reflect.construct(target, args)
    },
  })
  try {
    run()
  } finally {
    globalThis.Function = original
  }
  return compiled
}

describe('checkedType', () => {
  test('finds the compilers of this avsc version', () => {
    assert.equal(buildsWithoutCode, true)
  })

  for (const text of [...caseSchemas, ...tricky]) {
    test(`same as avsc's build: ${text.slice(0, 100)}`, () => {
      assert.deepEqual(outcome(checkedType, text), outcome(compiledType, text))
    })
  }

  test('a record schema is checked without compiling code; avsc compiles it', () => {
    const schema = JSON.parse(tricky[3]) as unknown
    assert.equal(
      compiledBy(() => checkedType(schema, {})),
      0,
    )
    assert.ok(compiledBy(() => compiledType(schema, {})) >= 5)
  })

  test('a checked build leaves avsc building with code', () => {
    checkedType(JSON.parse(tricky[0]), {})
    const type = compiledType(JSON.parse(tricky[0]), {})
    const value: unknown = type.fromBuffer(type.toBuffer({ inner: { x: 7 } }))
    assert.equal(JSON.stringify(value), '{"inner":{"x":7}}')
    assert.equal(type.isValid({ inner: { x: 'no' } }), false)
  })
})
