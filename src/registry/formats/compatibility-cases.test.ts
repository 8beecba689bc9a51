// Goal: our compatibility checkers give Confluent's verdicts on the cases Confluent's own registry
// tests use (issue 15: "compatibility tests as data"). Method: the cases live as JSON in cases/
// (avro.json: candidate, previous versions, level, verdict; json-schema.json and protobuf.json:
// original, update, verdict — an update must read what the original wrote, i.e. BACKWARD). Each is
// parsed with the real format and checked with compatibilityIssues; the test names the case.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { type CompatibilityLevel, compatibilityIssues } from '../compatibility.ts'
import { avroFormat } from './avro.ts'
import { jsonSchemaFormat } from './json-schema.ts'
import { protobufFormat } from './protobuf.ts'
import type { ResolvedReference, SchemaFormat } from './types.ts'

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'cases', name), 'utf8')) as T
}

interface AvroCases {
  schemas: Record<string, string>
  cases: {
    description: string
    level: CompatibilityLevel
    candidate: string
    previous: string[]
    compatible: boolean
  }[]
}

interface DiffCases {
  cases: {
    description: string
    original: unknown
    update: unknown
    compatible: boolean
    originalReferences?: { name: string; schema: string }[]
    updateReferences?: { name: string; schema: string }[]
  }[]
}

function references(given: { name: string; schema: string }[] | undefined): ResolvedReference[] {
  return (given ?? []).map((each) => ({ ...each, subject: each.name, version: 1 }))
}

describe('Avro compatibility cases', () => {
  const { schemas, cases } = load<AvroCases>('avro.json')
  for (const each of cases) {
    test(`${each.level}: ${each.description}`, () => {
      const parse = (name: string) => avroFormat.parse(schemas[name] ?? assert.fail(`no schema ${name}`), [])
      const issues = compatibilityIssues(each.level, parse(each.candidate), each.previous.map(parse))
      assert.equal(issues.length === 0, each.compatible, issues.join('\n'))
    })
  }
})

function diffCases(file: string, format: SchemaFormat): void {
  const { cases } = load<DiffCases>(file)
  for (const each of cases) {
    test(each.description, () => {
      const text = (schema: unknown): string => (typeof schema === 'string' ? schema : JSON.stringify(schema))
      const original = format.parse(text(each.original), references(each.originalReferences))
      const update = format.parse(text(each.update), references(each.updateReferences))
      const issues = compatibilityIssues('BACKWARD', update, [original])
      assert.equal(issues.length === 0, each.compatible, issues.join('\n'))
    })
  }
}

describe('JSON Schema compatibility cases', () => diffCases('json-schema.json', jsonSchemaFormat))
describe('Protobuf compatibility cases', () => diffCases('protobuf.json', protobufFormat))
