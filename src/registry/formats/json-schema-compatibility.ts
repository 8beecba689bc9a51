// JSON Schema compatibility, Confluent's rules: a reader schema is compatible with a writer schema
// when every document the writer accepts, the reader accepts too. Checked structurally, as
// Confluent's JsonSchemaDiff does, with its difference names:
//   types: the reader's may widen (TYPE_EXTENDED), not narrow (TYPE_NARROWED) or change
//   (TYPE_CHANGED); integer fits in number. enum: values may be added, not removed.
//   strings: maxLength may grow, minLength shrink, a pattern not be added or changed.
//   numbers: maximum may grow, minimum shrink, multipleOf not be added or changed.
//   objects (open content model: additionalProperties not false):
//     a property the reader adds is incompatible if the writer was open and could hold anything
//       under that name (PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL), fine if the writer was closed;
//     a property the reader drops is incompatible if the reader is closed
//       (PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL);
//     a required property the reader adds without a default: REQUIRED_ATTRIBUTE_ADDED;
//     closing an open model: ADDITIONAL_PROPERTIES_REMOVED.
//   arrays: items checked like properties; maxItems/minItems as lengths.
//   oneOf/anyOf: each writer branch within a reader branch; allOf: each reader branch holding for
//   a writer branch; not: the writer's `not` must cover the reader's (NOT_TYPE_EXTENDED).
// Local "$ref"s (#/definitions/…, #/$defs/…) and references by name are followed, each pair once.

import type { JsonSchema } from './json-schema.ts'

type Json = Record<string, unknown>

interface Side {
  root: unknown
  references: ReadonlyMap<string, unknown>
}

function difference(path: string, type: string): string {
  return `Difference{jsonPath='${path === '' ? '#/' : `#${path}`}', type=${type}}`
}

function asSchema(value: unknown): Json | boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json
  return true
}

function follow(schema: Json | boolean, side: Side, seen: Set<string>, tag: string): Json | boolean {
  let current = schema
  for (let step = 0; step < 16 && typeof current === 'object' && typeof current.$ref === 'string'; step++) {
    const ref = current.$ref
    if (seen.has(tag + ref)) return true
    seen.add(tag + ref)
    const [document, pointer = ''] = ref.split('#')
    let target: unknown = document === '' ? side.root : side.references.get(document)
    for (const part of pointer.split('/').filter((piece) => piece !== '')) {
      target =
        typeof target === 'object' && target !== null
          ? (target as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
          : undefined
    }
    current = asSchema(target)
  }
  return current
}

function typesOf(schema: Json): Set<string> | null {
  const type = schema.type
  if (typeof type === 'string') return new Set([type])
  if (Array.isArray(type)) return new Set(type.map(String))
  return null
}

function isOpen(schema: Json): boolean {
  return schema.additionalProperties !== false
}

function propertiesOf(schema: Json): Record<string, unknown> {
  const properties = schema.properties
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {}
}

function isAnything(schema: Json | boolean): boolean {
  return schema === true || (typeof schema === 'object' && Object.keys(schema).length === 0)
}

class JsonChecker {
  readonly reader: Side
  readonly writer: Side
  readonly issues: string[] = []

  constructor(reader: Side, writer: Side) {
    this.reader = reader
    this.writer = writer
  }

  check(
    readerSchema: Json | boolean,
    writerSchema: Json | boolean,
    path: string,
    seenOnPath: Set<string>,
  ): void {
    // Each path keeps its own set: siblings may use the same definition; a cycle stops on its path.
    const seen = new Set(seenOnPath)
    const reader = follow(readerSchema, this.reader, seen, 'reader:')
    const writer = follow(writerSchema, this.writer, seen, 'writer:')
    if (reader === true || writer === false || isAnything(reader)) return
    if (reader === false) {
      this.issues.push(difference(path, 'TYPE_NARROWED'))
      return
    }
    const writerObject: Json = writer === true ? {} : writer
    this.checkTypes(reader, writerObject, path)
    this.checkEnum(reader, writerObject, path)
    this.checkBounds(reader, writerObject, path)
    this.checkCombined(reader, writerObject, path, seen)
    this.checkObject(reader, writerObject, path, seen)
    if (reader.items !== undefined || writerObject.items !== undefined) {
      if (!Array.isArray(reader.items) && !Array.isArray(writerObject.items))
        this.check(asSchema(reader.items), asSchema(writerObject.items), `${path}/items`, seen)
    }
  }

  private checkTypes(reader: Json, writer: Json, path: string): void {
    const readerTypes = typesOf(reader)
    if (readerTypes === null) return
    const writerTypes = typesOf(writer)
    if (writerTypes === null) {
      this.issues.push(difference(path, 'TYPE_NARROWED'))
      return
    }
    const accepts = (type: string): boolean =>
      readerTypes.has(type) || (type === 'integer' && readerTypes.has('number'))
    const missing = [...writerTypes].filter((type) => !accepts(type))
    if (missing.length === 0) return
    const shared = [...writerTypes].some(accepts)
    this.issues.push(difference(path, shared ? 'TYPE_NARROWED' : 'TYPE_CHANGED'))
  }

  private checkEnum(reader: Json, writer: Json, path: string): void {
    if (!Array.isArray(reader.enum)) return
    if (!Array.isArray(writer.enum)) {
      this.issues.push(difference(`${path}/enum`, 'ENUM_ARRAY_NARROWED'))
      return
    }
    const allowed = new Set(reader.enum.map((value) => JSON.stringify(value)))
    if (writer.enum.some((value) => !allowed.has(JSON.stringify(value))))
      this.issues.push(difference(`${path}/enum`, 'ENUM_ARRAY_NARROWED'))
  }

  private checkBounds(reader: Json, writer: Json, path: string): void {
    const upper: Array<[string, string, string]> = [
      ['maxLength', 'MAX_LENGTH_ADDED', 'MAX_LENGTH_DECREASED'],
      ['maximum', 'MAXIMUM_ADDED', 'MAXIMUM_DECREASED'],
      ['exclusiveMaximum', 'EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_DECREASED'],
      ['maxItems', 'MAX_ITEMS_ADDED', 'MAX_ITEMS_DECREASED'],
      ['maxProperties', 'MAX_PROPERTIES_ADDED', 'MAX_PROPERTIES_DECREASED'],
    ]
    const lower: Array<[string, string, string]> = [
      ['minLength', 'MIN_LENGTH_ADDED', 'MIN_LENGTH_INCREASED'],
      ['minimum', 'MINIMUM_ADDED', 'MINIMUM_INCREASED'],
      ['exclusiveMinimum', 'EXCLUSIVE_MINIMUM_ADDED', 'EXCLUSIVE_MINIMUM_INCREASED'],
      ['minItems', 'MIN_ITEMS_ADDED', 'MIN_ITEMS_INCREASED'],
      ['minProperties', 'MIN_PROPERTIES_ADDED', 'MIN_PROPERTIES_INCREASED'],
    ]
    for (const [keyword, added, narrowed] of upper) {
      const readerValue = reader[keyword]
      const writerValue = writer[keyword]
      if (typeof readerValue !== 'number') continue
      if (typeof writerValue !== 'number') this.issues.push(difference(`${path}/${keyword}`, added))
      else if (readerValue < writerValue) this.issues.push(difference(`${path}/${keyword}`, narrowed))
    }
    for (const [keyword, added, narrowed] of lower) {
      const readerValue = reader[keyword]
      const writerValue = writer[keyword]
      if (typeof readerValue !== 'number') continue
      if (typeof writerValue !== 'number') this.issues.push(difference(`${path}/${keyword}`, added))
      else if (readerValue > writerValue) this.issues.push(difference(`${path}/${keyword}`, narrowed))
    }
    if (typeof reader.pattern === 'string' && reader.pattern !== writer.pattern)
      this.issues.push(
        difference(`${path}/pattern`, writer.pattern === undefined ? 'PATTERN_ADDED' : 'PATTERN_CHANGED'),
      )
    if (typeof reader.multipleOf === 'number' && reader.multipleOf !== writer.multipleOf) {
      const divides = typeof writer.multipleOf === 'number' && writer.multipleOf % reader.multipleOf === 0
      if (!divides)
        this.issues.push(
          difference(
            `${path}/multipleOf`,
            writer.multipleOf === undefined ? 'MULTIPLE_OF_ADDED' : 'MULTIPLE_OF_CHANGED',
          ),
        )
    }
  }

  private checkCombined(reader: Json, writer: Json, path: string, seen: Set<string>): void {
    for (const keyword of ['oneOf', 'anyOf']) {
      const readerBranches = reader[keyword]
      if (!Array.isArray(readerBranches)) continue
      // Every document of the writer (of one of its branches) must fit one of the reader's branches.
      const writerBranches = Array.isArray(writer[keyword]) ? (writer[keyword] as unknown[]) : [writer]
      writerBranches.forEach((writerBranch, index) => {
        const ok = readerBranches.some((readerBranch) =>
          this.accepts(asSchema(readerBranch), asSchema(writerBranch), seen),
        )
        if (!ok)
          this.issues.push(difference(`${path}/${keyword}/${index}`, 'COMBINED_TYPE_SUBSCHEMAS_CHANGED'))
      })
    }
    const readerAll = reader.allOf
    if (Array.isArray(readerAll)) {
      // Every reader branch must hold for the writer's documents: one writer branch (or the writer
      // itself) must be within it.
      const writerAll = Array.isArray(writer.allOf) ? (writer.allOf as unknown[]) : [writer]
      readerAll.forEach((readerBranch, index) => {
        const ok = writerAll.some((writerBranch) =>
          this.accepts(asSchema(readerBranch), asSchema(writerBranch), seen),
        )
        if (!ok) this.issues.push(difference(`${path}/allOf/${index}`, 'COMBINED_TYPE_SUBSCHEMAS_CHANGED'))
      })
    }
    if (reader.not !== undefined) {
      // A reader refusing `not` documents: the writer must have refused at least those.
      const writerNot = writer.not
      const ok =
        writerNot !== undefined &&
        new JsonChecker(this.writer, this.reader).acceptsAll(asSchema(writerNot), asSchema(reader.not), seen)
      if (!ok) this.issues.push(difference(`${path}/not`, 'NOT_TYPE_EXTENDED'))
    }
  }

  acceptsAll(reader: Json | boolean, writer: Json | boolean, seen: Set<string>): boolean {
    return this.accepts(reader, writer, seen)
  }

  private accepts(reader: Json | boolean, writer: Json | boolean, seen: Set<string>): boolean {
    const nested = new JsonChecker(this.reader, this.writer)
    nested.check(reader, writer, '', new Set(seen))
    return nested.issues.length === 0
  }

  private checkObject(reader: Json, writer: Json, path: string, seen: Set<string>): void {
    const readerProperties = propertiesOf(reader)
    const writerProperties = propertiesOf(writer)
    for (const [name, writerProperty] of Object.entries(writerProperties)) {
      const readerProperty = readerProperties[name]
      if (readerProperty !== undefined) {
        this.check(asSchema(readerProperty), asSchema(writerProperty), `${path}/properties/${name}`, seen)
      } else if (!isOpen(reader)) {
        this.issues.push(
          difference(`${path}/properties/${name}`, 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL'),
        )
      } else if (typeof reader.additionalProperties === 'object') {
        this.check(
          asSchema(reader.additionalProperties),
          asSchema(writerProperty),
          `${path}/properties/${name}`,
          seen,
        )
      }
    }
    for (const [name, readerProperty] of Object.entries(readerProperties)) {
      if (name in writerProperties) continue
      if (!isOpen(writer)) continue
      const writerAdditional = asSchema(writer.additionalProperties)
      if (typeof writerAdditional === 'object' && !isAnything(writerAdditional)) {
        this.check(asSchema(readerProperty), writerAdditional, `${path}/properties/${name}`, seen)
      } else if (!isAnything(follow(asSchema(readerProperty), this.reader, new Set(seen), 'reader:'))) {
        this.issues.push(difference(`${path}/properties/${name}`, 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL'))
      }
    }
    const writerRequired = new Set(Array.isArray(writer.required) ? writer.required : [])
    for (const name of Array.isArray(reader.required) ? reader.required : []) {
      if (writerRequired.has(name)) continue
      const property = asSchema(readerProperties[String(name)])
      if (typeof property === 'object' && 'default' in property) continue
      this.issues.push(difference(`${path}/required/${String(name)}`, 'REQUIRED_ATTRIBUTE_ADDED'))
    }
    if (
      isOpen(writer) &&
      reader.additionalProperties === false &&
      (writer.type === 'object' || 'properties' in writer)
    )
      this.issues.push(difference(`${path}/additionalProperties`, 'ADDITIONAL_PROPERTIES_REMOVED'))
    else if (typeof reader.additionalProperties === 'object' && reader.additionalProperties !== null) {
      const writerAdditional = writer.additionalProperties
      if (writerAdditional === undefined || writerAdditional === true) {
        if (!isAnything(asSchema(reader.additionalProperties)))
          this.issues.push(difference(`${path}/additionalProperties`, 'ADDITIONAL_PROPERTIES_NARROWED'))
      } else if (writerAdditional !== false) {
        this.check(
          asSchema(reader.additionalProperties),
          asSchema(writerAdditional),
          `${path}/additionalProperties`,
          seen,
        )
      }
    }
  }
}

/** Why a reader with `reader` rejects documents `writer` accepts (empty: it accepts them all). */
export function jsonReaderIssues(reader: JsonSchema, writer: JsonSchema): string[] {
  const checker = new JsonChecker(
    { root: reader.json, references: reader.references },
    { root: writer.json, references: writer.references },
  )
  checker.check(asSchema(reader.json), asSchema(writer.json), '', new Set())
  return checker.issues
}
