// Emits the straight-line decoder and encoder of every struct of a message, one function per
// version in which the struct is used. No spec interpretation is left for run time.

import { camelCase } from './names.ts'
import { type FieldSpec, type FieldType, inRange, type MessageSpec, type StructSpec } from './spec.ts'
import { defaultLiteral, isDefaultExpression, isNullableAnywhere } from './types.ts'

interface VersionContext {
  message: MessageSpec
  version: number
}

const fixedBytes: Record<string, number> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
}

const primitiveMethod: Record<string, string> = {
  bool: 'Bool',
  int8: 'Int8',
  int16: 'Int16',
  uint16: 'UInt16',
  int32: 'Int32',
  uint32: 'UInt32',
  int64: 'Int64',
  float64: 'Float64',
  uuid: 'Uuid',
}

function isFlexible(context: VersionContext): boolean {
  return inRange(context.message.flexibleVersions, context.version)
}

function fieldIsFlexible(field: FieldSpec, context: VersionContext): boolean {
  if (field.flexibleVersions !== null) return inRange(field.flexibleVersions, context.version)
  return isFlexible(context)
}

function isTagged(field: FieldSpec, version: number): boolean {
  return field.taggedVersions !== null && inRange(field.taggedVersions, version)
}

function isInline(field: FieldSpec, version: number): boolean {
  return inRange(field.versions, version) && !isTagged(field, version)
}

function structFunctionName(kind: 'decode' | 'encode', struct: string, version: number): string {
  return `${kind}${struct}V${version}`
}

/** The smallest encoding of a value of `type`, used to reject impossible array counts early. */
function minimumBytes(type: FieldType, flexible: boolean, context: VersionContext): number {
  if (type.kind === 'array') return flexible ? 1 : 4
  if (type.kind === 'struct') {
    const struct = context.message.structs.get(type.name)
    if (struct === undefined) throw new Error(`unknown struct ${type.name}`)
    let total = isFlexible(context) ? 1 : 0
    for (const field of struct.fields) {
      if (isInline(field, context.version))
        total += minimumBytes(field.type, fieldIsFlexible(field, context), context)
    }
    return total
  }
  if (type.name in fixedBytes) return fixedBytes[type.name]
  if (type.name === 'string') return flexible ? 1 : 2
  return flexible ? 1 : 4
}

function variableLengthMethod(type: 'string' | 'bytes', flexible: boolean, nullable: boolean): string {
  const noun = type === 'string' ? 'String' : 'Bytes'
  return `${flexible ? 'Compact' : ''}${nullable ? 'Nullable' : ''}${noun}`
}

/** Reads one value of `type` with reader `reader`; returns [statements, expression]. */
function decodeValue(
  type: FieldType,
  options: { reader: string; path: string; flexible: boolean; nullable: boolean; local: string },
  context: VersionContext,
): [string[], string] {
  const { reader, path, flexible, nullable, local } = options
  // Keep the element reader's name stable so element expressions can be reused as arrow bodies.
  const where = JSON.stringify(path)
  if (type.kind === 'primitive') {
    if (type.name === 'string')
      return [[], `${reader}.read${variableLengthMethod('string', flexible, nullable)}(${where})`]
    if (type.name === 'bytes' || type.name === 'records') {
      return [[], `${reader}.read${variableLengthMethod('bytes', flexible, nullable)}(${where})`]
    }
    return [[], `${reader}.read${primitiveMethod[type.name]}(${where})`]
  }
  if (type.kind === 'struct') {
    const decode = `${structFunctionName('decode', type.name, context.version)}(${reader})`
    if (!nullable) return [[], decode]
    return [[], `(${reader}.readInt8(${where}) < 0 ? null : ${decode})`]
  }
  const count = `${local}Count`
  const minimum = minimumBytes(type.element, flexible, context)
  const lengthMethod = flexible ? 'readCompactArrayLength' : 'readArrayLength'
  const [elementStatements, element] = decodeValue(
    type.element,
    { reader: 'elementReader', path: `${path}[]`, flexible, nullable: false, local: `${local}Element` },
    context,
  )
  if (elementStatements.length > 0) throw new Error(`nested arrays are not supported (${path})`)
  const elementDecoder =
    type.element.kind === 'struct'
      ? structFunctionName('decode', type.element.name, context.version)
      : `(elementReader) => ${element}`
  const decodeArray = `decodeArray(${reader}, ${count}, ${elementDecoder})`
  const whenNull = nullable ? 'null' : `${reader}.fail('null where an array is required', ${where})`
  return [
    [`const ${count} = ${reader}.${lengthMethod}(${minimum}, ${where})`],
    `${count} < 0 ? ${whenNull} : ${decodeArray}`,
  ]
}

/** Writes one value of `type`; `value` is an expression already checked against null when required. */
function encodeValue(
  type: FieldType,
  options: {
    writer: string
    value: string
    path: string
    flexible: boolean
    nullable: boolean
    mayBeNull: boolean
  },
  context: VersionContext,
): string[] {
  const { writer, value, path, flexible, nullable, mayBeNull } = options
  const where = JSON.stringify(path)
  const required = nullable || !mayBeNull ? value : `requireValue(${value}, ${where})`
  if (type.kind === 'primitive') {
    if (type.name === 'string')
      return [`${writer}.write${variableLengthMethod('string', flexible, nullable)}(${required})`]
    if (type.name === 'bytes' || type.name === 'records') {
      return [`${writer}.write${variableLengthMethod('bytes', flexible, nullable)}(${required})`]
    }
    return [`${writer}.write${primitiveMethod[type.name]}(${value})`]
  }
  if (type.kind === 'struct') {
    const encode = structFunctionName('encode', type.name, context.version)
    if (!nullable) return [`${encode}(${writer}, ${required})`]
    return [
      `if (${value} === null) {`,
      `  ${writer}.writeInt8(-1)`,
      '} else {',
      `  ${writer}.writeInt8(1)`,
      `  ${encode}(${writer}, ${value})`,
      '}',
    ]
  }
  const lengthMethod = flexible ? 'writeCompactArrayLength' : 'writeArrayLength'
  const element = encodeValue(
    type.element,
    { writer, value: 'element', path: `${path}[]`, flexible, nullable: false, mayBeNull: false },
    context,
  )
  if (!nullable) {
    return [
      '{',
      `  const elements = ${required}`,
      `  ${writer}.${lengthMethod}(elements.length)`,
      '  for (const element of elements) {',
      ...element.map((line) => `    ${line}`),
      '  }',
      '}',
    ]
  }
  return [
    `${writer}.${lengthMethod}(${value} === null ? null : ${value}.length)`,
    `if (${value} !== null) {`,
    `  for (const element of ${value}) {`,
    ...element.map((line) => `    ${line}`),
    '  }',
    '}',
  ]
}

function localName(field: FieldSpec): string {
  return `field${field.name}`
}

function emitDecoder(struct: StructSpec, context: VersionContext, pathPrefix: string): string {
  const { version } = context
  const body: string[] = []
  const flexible = isFlexible(context)
  const taggedHere = struct.fields.filter(
    (field) => inRange(field.versions, version) && isTagged(field, version),
  )
  for (const field of struct.fields) {
    const local = localName(field)
    const path = `${pathPrefix}${camelCase(field.name)}`
    if (!inRange(field.versions, version)) {
      body.push(`const ${local}: ${struct.name}['${camelCase(field.name)}'] = ${defaultLiteral(field)}`)
    } else if (isTagged(field, version)) {
      body.push(`let ${local}: ${struct.name}['${camelCase(field.name)}'] = ${defaultLiteral(field)}`)
    } else {
      const [statements, expression] = decodeValue(
        field.type,
        {
          reader: 'reader',
          path,
          flexible: fieldIsFlexible(field, context),
          nullable: inRange(field.nullableVersions, version),
          local,
        },
        context,
      )
      body.push(...statements, `const ${local} = ${expression}`)
    }
  }
  if (flexible) body.push(...emitTaggedDecode(taggedHere, context, pathPrefix))
  const object = struct.fields.map((field) => `${camelCase(field.name)}: ${localName(field)}`)
  body.push(`const result: ${struct.name} = { ${object.join(', ')} }`)
  if (flexible)
    body.push('if (unknownTaggedFields.length > 0) result.unknownTaggedFields = unknownTaggedFields')
  body.push('return result')
  return [
    `export function ${structFunctionName('decode', struct.name, version)}(reader: Reader): ${struct.name} {`,
    ...body.map((line) => `  ${line}`),
    '}',
  ].join('\n')
}

function emitTaggedDecode(tagged: FieldSpec[], context: VersionContext, pathPrefix: string): string[] {
  const where = JSON.stringify(`${pathPrefix}taggedFields`)
  if (tagged.length === 0) return [`const unknownTaggedFields = readUnknownTaggedFields(reader, ${where})`]
  const cases: string[] = []
  for (const field of [...tagged].sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0))) {
    const path = `${pathPrefix}${camelCase(field.name)}`
    const [statements, expression] = decodeValue(
      field.type,
      {
        reader: 'tagReader',
        path,
        flexible: true,
        nullable: inRange(field.nullableVersions, context.version),
        local: localName(field),
      },
      context,
    )
    cases.push(
      `    case ${field.tag}: {`,
      `      const tagReader = reader.narrow(size, ${JSON.stringify(path)})`,
      ...statements.map((line) => `      ${line}`),
      `      ${localName(field)} = ${expression}`,
      `      tagReader.expectEnd(${JSON.stringify(path)})`,
      '      break',
      '    }',
    )
  }
  return [
    'const unknownTaggedFields: TaggedField[] = []',
    `const taggedCount = reader.readUnsignedVarint(${where})`,
    'for (let index = 0; index < taggedCount; index++) {',
    `  const tag = reader.readUnsignedVarint(${where})`,
    `  const size = reader.readUnsignedVarint(${where})`,
    '  switch (tag) {',
    ...cases,
    '    default:',
    `      unknownTaggedFields.push({ tag, data: reader.readRawBytes(size, ${where}) })`,
    '  }',
    '}',
  ]
}

function emitEncoder(struct: StructSpec, context: VersionContext, pathPrefix: string): string {
  const { version } = context
  const body: string[] = []
  for (const field of struct.fields) {
    const value = `value.${camelCase(field.name)}`
    const path = `${pathPrefix}${camelCase(field.name)}`
    if (!inRange(field.versions, version)) {
      if (!field.ignorable) {
        body.push(
          `if (!(${isDefaultExpression(field, value)})) {`,
          `  throw new EncodeError(${JSON.stringify(`${struct.name}.${camelCase(field.name)} is not supported in version ${version}`)})`,
          '}',
        )
      }
      continue
    }
    if (isTagged(field, version)) continue
    body.push(
      ...encodeValue(
        field.type,
        {
          writer: 'writer',
          value,
          path,
          flexible: fieldIsFlexible(field, context),
          nullable: inRange(field.nullableVersions, version),
          mayBeNull: isNullableAnywhere(field),
        },
        context,
      ),
    )
  }
  if (isFlexible(context)) body.push(...emitTaggedEncode(struct, context, pathPrefix))
  return [
    `export function ${structFunctionName('encode', struct.name, version)}(writer: Writer, value: ${struct.name}): void {`,
    ...body.map((line) => `  ${line}`),
    '}',
  ].join('\n')
}

function emitTaggedEncode(struct: StructSpec, context: VersionContext, pathPrefix: string): string[] {
  const tagged = struct.fields
    .filter((field) => inRange(field.versions, context.version) && isTagged(field, context.version))
    .sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0))
  if (tagged.length === 0) return ['writeTaggedFields(writer, value.unknownTaggedFields)']
  const lines = ['const taggedFields: TaggedField[] = [...(value.unknownTaggedFields ?? [])]']
  for (const field of tagged) {
    const value = `value.${camelCase(field.name)}`
    lines.push(
      `if (!(${isDefaultExpression(field, value)})) {`,
      '  const tagWriter = new Writer()',
      ...encodeValue(
        field.type,
        {
          writer: 'tagWriter',
          value,
          path: `${pathPrefix}${camelCase(field.name)}`,
          flexible: true,
          nullable: inRange(field.nullableVersions, context.version),
          mayBeNull: isNullableAnywhere(field),
        },
        context,
      ).map((line) => `  ${line}`),
      `  taggedFields.push({ tag: ${field.tag}, data: tagWriter.toBuffer() })`,
      '}',
    )
  }
  lines.push('writeTaggedFields(writer, taggedFields)')
  return lines
}

/** Which (struct, version) pairs are reachable from the root in each valid version. */
function collectUsage(message: MessageSpec): Map<string, Set<number>> {
  const usage = new Map<string, Set<number>>()
  const visit = (struct: StructSpec, version: number) => {
    const versions = usage.get(struct.name) ?? new Set<number>()
    if (versions.has(version)) return
    versions.add(version)
    usage.set(struct.name, versions)
    for (const field of struct.fields) {
      if (!inRange(field.versions, version)) continue
      let type = field.type
      while (type.kind === 'array') type = type.element
      if (type.kind !== 'struct') continue
      const nested = message.structs.get(type.name)
      if (nested === undefined) throw new Error(`${message.name}: unknown struct ${type.name}`)
      visit(nested, version)
    }
  }
  for (let version = message.validVersions.min; version <= message.validVersions.max; version++) {
    visit(message.root, version)
  }
  return usage
}

export function emitCodecs(message: MessageSpec): string {
  const usage = collectUsage(message)
  const parts: string[] = []
  const structs = [message.root, ...message.structs.values()]
  for (const struct of structs) {
    const versions = [...(usage.get(struct.name) ?? [])].sort((a, b) => a - b)
    for (const version of versions) {
      const context = { message, version }
      parts.push(
        emitDecoder(struct, context, `${struct.name}.`),
        emitEncoder(struct, context, `${struct.name}.`),
      )
    }
  }
  return parts.join('\n\n')
}

export { isNullableAnywhere }
