// Avro schema resolution (the Avro specification's rules, as Confluent's AvroCompatibilityChecker
// applies them): can a reader with schema R read data written with schema W?
//   primitives: equal, or promoted (int→long/float/double, long→float/double, float→double,
//   string↔bytes); records: same name (or a reader alias), every reader field found in the writer
//   (by name or alias) with a readable type, or having a default; enums: every writer symbol in the
//   reader, or a reader default; fixed: same name and size; arrays/maps: items/values readable;
//   unions: every writer branch readable by the reader (a reader union: by one of its branches).
// Schemas are walked as JSON; named types are looked up by full name (namespaces inherited).

export type NamedTypes = Map<string, Record<string, unknown>>

export interface AvroSchemaJson {
  schema: unknown
  named: NamedTypes
}

type JsonObject = Record<string, unknown>

const primitives = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])
const promotions: Record<string, string[]> = {
  int: ['int'],
  long: ['int', 'long'],
  float: ['int', 'long', 'float'],
  double: ['int', 'long', 'float', 'double'],
  string: ['string', 'bytes'],
  bytes: ['bytes', 'string'],
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fullName(name: string, namespace: string): string {
  if (name.includes('.') || namespace === '') return name
  return `${namespace}.${name}`
}

function namespaceOf(definition: JsonObject, inherited: string): string {
  const name = typeof definition.name === 'string' ? definition.name : ''
  if (name.includes('.')) return name.slice(0, name.lastIndexOf('.'))
  return typeof definition.namespace === 'string' ? definition.namespace : inherited
}

/** Records every named type (record, error, enum, fixed) of `schema` by full name. */
export function collectNamedTypes(schema: unknown, namespace: string, named: NamedTypes): void {
  if (Array.isArray(schema)) {
    for (const branch of schema) collectNamedTypes(branch, namespace, named)
    return
  }
  if (!isObject(schema)) return
  const type = schema.type
  if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
    const ns = namespaceOf(schema, namespace)
    named.set(fullName(String(schema.name), ns), { ...schema, '#namespace': ns })
    if (Array.isArray(schema.fields))
      for (const field of schema.fields) if (isObject(field)) collectNamedTypes(field.type, ns, named)
    return
  }
  if (type === 'array') collectNamedTypes(schema.items, namespace, named)
  else if (type === 'map') collectNamedTypes(schema.values, namespace, named)
  else if (typeof type === 'object') collectNamedTypes(type, namespace, named)
}

/** A schema node resolved: a primitive name, a union, or a complex definition with its namespace. */
type Node =
  | { kind: 'primitive'; name: string }
  | { kind: 'union'; branches: unknown[]; namespace: string }
  | { kind: 'complex'; definition: JsonObject; namespace: string; fullName: string | null }

function resolve(schema: unknown, namespace: string, named: NamedTypes): Node {
  if (Array.isArray(schema)) return { kind: 'union', branches: schema, namespace }
  if (typeof schema === 'string') {
    if (primitives.has(schema)) return { kind: 'primitive', name: schema }
    const name = named.has(fullName(schema, namespace)) ? fullName(schema, namespace) : schema
    const definition = named.get(name)
    if (definition === undefined) return { kind: 'primitive', name: `unknown:${name}` }
    return { kind: 'complex', definition, namespace: String(definition['#namespace'] ?? ''), fullName: name }
  }
  if (isObject(schema)) {
    const type = schema.type
    if (typeof type === 'string' && primitives.has(type)) return { kind: 'primitive', name: type }
    if (Array.isArray(type) || isObject(type)) return resolve(type, namespace, named)
    if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
      const ns = namespaceOf(schema, namespace)
      return {
        kind: 'complex',
        definition: schema,
        namespace: ns,
        fullName: fullName(String(schema.name), ns),
      }
    }
    if (typeof type === 'string' && type !== 'array' && type !== 'map') return resolve(type, namespace, named)
    return { kind: 'complex', definition: schema, namespace, fullName: null }
  }
  return { kind: 'primitive', name: 'unknown' }
}

function typeNameOf(node: Node): string {
  if (node.kind === 'primitive') return node.name
  if (node.kind === 'union') return 'union'
  const type = node.definition.type
  return type === 'error' ? 'record' : String(type)
}

function issue(errorType: string, description: string, path: string, additionalInfo?: string): string {
  const info = additionalInfo === undefined ? '' : `, additionalInfo:'${additionalInfo}'`
  return `{errorType:'${errorType}', description:'${description} at path '${path}'${info}}`
}

function aliasesOf(definition: JsonObject, namespace: string): string[] {
  return Array.isArray(definition.aliases)
    ? definition.aliases
        .filter((alias): alias is string => typeof alias === 'string')
        .map((alias) => fullName(alias, namespace))
    : []
}

function unqualified(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1)
}

class Checker {
  readonly reader: NamedTypes
  readonly writer: NamedTypes
  /** Pairs of named types being compared (recursive types end here: assumed compatible). */
  private readonly inProgress = new Set<string>()

  constructor(reader: NamedTypes, writer: NamedTypes) {
    this.reader = reader
    this.writer = writer
  }

  check(readerNode: Node, writerNode: Node, path: string): string[] {
    if (writerNode.kind === 'union') {
      const issues: string[] = []
      writerNode.branches.forEach((branch, index) => {
        const found = this.check(
          readerNode,
          resolve(branch, writerNode.namespace, this.writer),
          `${path}/${index}`,
        )
        issues.push(...found)
      })
      return issues
    }
    if (readerNode.kind === 'union') {
      for (const branch of readerNode.branches) {
        const candidate = resolve(branch, readerNode.namespace, this.reader)
        if (this.check(candidate, writerNode, path).length === 0) return []
      }
      return [
        issue(
          'MISSING_UNION_BRANCH',
          `The new schema is missing a type inside a union field; the old schema's type ${typeNameOf(writerNode)} has no match in the new schema's union`,
          path,
          typeNameOf(writerNode),
        ),
      ]
    }
    const readerType = typeNameOf(readerNode)
    const writerType = typeNameOf(writerNode)
    if (readerNode.kind === 'primitive' && writerNode.kind === 'primitive') {
      if (readerType === writerType || promotions[readerType]?.includes(writerType)) return []
      return [typeMismatch(readerType, writerType, path)]
    }
    if (readerType !== writerType || readerNode.kind !== 'complex' || writerNode.kind !== 'complex')
      return [typeMismatch(readerType, writerType, path)]
    return this.checkComplex(readerNode, writerNode, readerType, path)
  }

  private checkComplex(
    readerNode: Extract<Node, { kind: 'complex' }>,
    writerNode: Extract<Node, { kind: 'complex' }>,
    type: string,
    path: string,
  ): string[] {
    const reader = readerNode.definition
    const writer = writerNode.definition
    if (type === 'array') {
      return this.check(
        resolve(reader.items, readerNode.namespace, this.reader),
        resolve(writer.items, writerNode.namespace, this.writer),
        `${path}/items`,
      )
    }
    if (type === 'map') {
      return this.check(
        resolve(reader.values, readerNode.namespace, this.reader),
        resolve(writer.values, writerNode.namespace, this.writer),
        `${path}/values`,
      )
    }
    const readerName = readerNode.fullName ?? ''
    const writerName = writerNode.fullName ?? ''
    const names = [readerName, ...aliasesOf(reader, readerNode.namespace)]
    if (!names.includes(writerName) && !names.map(unqualified).includes(unqualified(writerName))) {
      return [
        issue(
          'NAME_MISMATCH',
          `The type name at path '${path}' in the new schema does not match the old schema; expected: ${unqualified(writerName)}`,
          `${path}/name`,
          unqualified(writerName),
        ).replace(` at path '${path}/name'`, ''),
      ]
    }
    const pair = `${readerName}\u0000${writerName}`
    if (this.inProgress.has(pair)) return []
    this.inProgress.add(pair)
    try {
      if (type === 'fixed') {
        if (reader.size === writer.size) return []
        return [
          issue(
            'FIXED_SIZE_MISMATCH',
            `The size of FIXED type field at path '${path}' in the new schema does not match with the old schema`,
            `${path}/size`,
            `expected: ${String(writer.size)}, found: ${String(reader.size)}`,
          ),
        ]
      }
      if (type === 'enum') return this.checkEnum(reader, writer, path)
      return this.checkRecord(readerNode, writerNode, path)
    } finally {
      this.inProgress.delete(pair)
    }
  }

  private checkEnum(reader: JsonObject, writer: JsonObject, path: string): string[] {
    const readerSymbols = new Set(Array.isArray(reader.symbols) ? reader.symbols : [])
    const missing = (Array.isArray(writer.symbols) ? writer.symbols : []).filter(
      (symbol) => !readerSymbols.has(symbol),
    )
    if (missing.length === 0 || reader.default !== undefined) return []
    return [
      issue(
        'MISSING_ENUM_SYMBOLS',
        `The new schema is missing enum symbols '${missing.join(', ')}' at path '${path}/symbols' in the old schema`,
        `${path}/symbols`,
        `[${missing.join(', ')}]`,
      ).replace(` at path '${path}/symbols'`, ''),
    ]
  }

  private checkRecord(
    readerNode: Extract<Node, { kind: 'complex' }>,
    writerNode: Extract<Node, { kind: 'complex' }>,
    path: string,
  ): string[] {
    const readerFields = fieldsOf(readerNode.definition)
    const writerFields = fieldsOf(writerNode.definition)
    const issues: string[] = []
    readerFields.forEach((field, index) => {
      const names = [String(field.name), ...(Array.isArray(field.aliases) ? field.aliases.map(String) : [])]
      const writerField = writerFields.find((candidate) => names.includes(String(candidate.name)))
      const fieldPath = `${path}/fields/${index}`
      if (writerField === undefined) {
        if (!('default' in field)) {
          issues.push(
            `{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field '${String(field.name)}' at path '${fieldPath}' in the new schema has no default value and is missing in the old schema', additionalInfo:'${String(field.name)}'}`,
          )
        }
        return
      }
      issues.push(
        ...this.check(
          resolve(field.type, readerNode.namespace, this.reader),
          resolve(writerField.type, writerNode.namespace, this.writer),
          `${fieldPath}/type`,
        ),
      )
    })
    return issues
  }
}

function fieldsOf(definition: JsonObject): JsonObject[] {
  return Array.isArray(definition.fields) ? definition.fields.filter(isObject) : []
}

function typeMismatch(readerType: string, writerType: string, path: string): string {
  return `{errorType:'TYPE_MISMATCH', description:'The type (path '${path}') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: ${readerType.toUpperCase()} not compatible with writer type: ${writerType.toUpperCase()}'}`
}

/** Why `reader` cannot read data written with `writer` (empty: it can). */
export function avroReaderIssues(reader: AvroSchemaJson, writer: AvroSchemaJson): string[] {
  const checker = new Checker(reader.named, writer.named)
  return checker.check(resolve(reader.schema, '', reader.named), resolve(writer.schema, '', writer.named), '')
}
