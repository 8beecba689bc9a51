// Protobuf compatibility, Confluent's rules (its protobuf SchemaDiff): the original (the older schema
// for BACKWARD) and the update are compared message by message (by name within the package) and
// field by field (by number). Compatible changes: PACKAGE_CHANGED, MESSAGE_ADDED, ENUM_* changes,
// FIELD_ADDED, FIELD_REMOVED, FIELD_NAME_CHANGED, FIELD_STRING_OR_BYTES_LABEL_CHANGED, ONEOF_ADDED,
// ONEOF_REMOVED, ONEOF_FIELD_ADDED. Everything else found is incompatible: MESSAGE_REMOVED,
// FIELD_KIND_CHANGED (scalar / message / map), FIELD_SCALAR_KIND_CHANGED (outside the wire-compatible
// groups; an enum counts as a number), FIELD_NAMED_TYPE_CHANGED, FIELD_NUMERIC_LABEL_CHANGED,
// REQUIRED_FIELD_ADDED / REMOVED, ONEOF_FIELD_REMOVED, FIELD_MOVED_TO_EXISTING_ONEOF,
// MULTIPLE_FIELDS_MOVED_TO_ONEOF.

import protobuf from 'protobufjs'

export type ProtoMessages = Map<string, protobuf.Type>

/** Every message type under `namespace`, by full name (no leading dot); names also go into `names`. */
export function collectMessages(
  namespace: protobuf.NamespaceBase,
  prefix: string,
  names: Set<string>,
): Map<string, protobuf.Type> {
  const found = new Map<string, protobuf.Type>()
  for (const nested of namespace.nestedArray) {
    const fullName = prefix === '' ? nested.name : `${prefix}.${nested.name}`
    if (nested instanceof protobuf.Type) {
      found.set(fullName, nested)
      names.add(fullName)
    }
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) {
      for (const [name, type] of collectMessages(nested, fullName, names)) found.set(name, type)
    }
  }
  return found
}

const scalarGroups: Record<string, string> = {
  int32: 'GENERAL_NUMBER',
  int64: 'GENERAL_NUMBER',
  uint32: 'GENERAL_NUMBER',
  uint64: 'GENERAL_NUMBER',
  bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER',
  sint64: 'SIGNED_NUMBER',
  string: 'STRING_OR_BYTES',
  bytes: 'STRING_OR_BYTES',
  fixed32: 'FIXED32',
  sfixed32: 'FIXED32',
  fixed64: 'FIXED64',
  sfixed64: 'FIXED64',
  float: 'FLOAT',
  double: 'DOUBLE',
}

function kindOf(field: protobuf.Field): 'MAP' | 'SCALAR' | 'MESSAGE' {
  if (field instanceof protobuf.MapField) return 'MAP'
  if (field.resolvedType instanceof protobuf.Type) return 'MESSAGE'
  return 'SCALAR'
}

function scalarKindOf(field: protobuf.Field): string {
  if (field.resolvedType instanceof protobuf.Enum) return 'GENERAL_NUMBER'
  return scalarGroups[field.type] ?? field.type
}

/** A real oneof (proto3 `optional` makes a synthetic one, which does not count). */
function oneofOf(field: protobuf.Field): string | null {
  const oneof = field.partOf
  if (oneof === null) return null
  if (oneof.fieldsArray.length === 1 && oneof.name.startsWith('_')) return null
  return oneof.name
}

/** A type's name inside its package: the chain of enclosing messages (Confluent's local name). */
function localName(type: protobuf.ReflectionObject | null): string {
  const parts: string[] = []
  for (
    let current = type;
    current instanceof protobuf.Type || current instanceof protobuf.Enum;
    current = current.parent
  )
    parts.unshift(current.name)
  return parts.join('.')
}

interface Sides {
  original: { messages: ProtoMessages; packageName: string }
  update: { messages: ProtoMessages; packageName: string }
  /** Pairs of message types being compared through a field (recursive types end there). */
  comparing?: Set<string>
}

function difference(path: string, type: string): string {
  return `{errorType:'${type}', description:'at path '${path}''}`
}

function compareField(
  sides: Sides,
  original: protobuf.Field,
  update: protobuf.Field,
  path: string,
  issues: string[],
): void {
  const originalKind = kindOf(original)
  const updateKind = kindOf(update)
  if (originalKind !== updateKind) {
    issues.push(difference(path, 'FIELD_KIND_CHANGED'))
    return
  }
  if (originalKind === 'SCALAR') {
    if (scalarKindOf(original) !== scalarKindOf(update))
      issues.push(difference(path, 'FIELD_SCALAR_KIND_CHANGED'))
    else if (original.repeated !== update.repeated && scalarKindOf(original) !== 'STRING_OR_BYTES')
      issues.push(difference(path, 'FIELD_NUMERIC_LABEL_CHANGED'))
    return
  }
  if (originalKind === 'MAP') {
    const originalMap = original as unknown as protobuf.MapField
    const updateMap = update as unknown as protobuf.MapField
    if (
      (scalarGroups[originalMap.keyType] ?? originalMap.keyType) !==
      (scalarGroups[updateMap.keyType] ?? updateMap.keyType)
    )
      issues.push(difference(path, 'FIELD_SCALAR_KIND_CHANGED'))
    // The values: a scalar (or enum) on both sides compares as scalars, else as messages below.
    const originalValueIsMessage = original.resolvedType instanceof protobuf.Type
    if (originalValueIsMessage !== updateMap.resolvedType instanceof protobuf.Type) {
      issues.push(difference(path, 'FIELD_KIND_CHANGED'))
      return
    }
    if (!originalValueIsMessage) {
      if (scalarKindOf(original) !== scalarKindOf(update))
        issues.push(difference(path, 'FIELD_SCALAR_KIND_CHANGED'))
      return
    }
  }
  const originalType = original.resolvedType
  const updateType = update.resolvedType
  if (!(originalType instanceof protobuf.Type) || !(updateType instanceof protobuf.Type)) return
  if (localName(originalType) !== localName(updateType)) {
    issues.push(difference(path, 'FIELD_NAMED_TYPE_CHANGED'))
    return
  }
  // Same local name, maybe from another file or package: compare the two messages themselves.
  const pair = `${originalType.fullName}\u0000${updateType.fullName}`
  const comparing = sides.comparing ?? new Set<string>()
  if (comparing.has(pair)) return
  comparing.add(pair)
  const nested: string[] = []
  compareMessage({ ...sides, comparing }, originalType, updateType, `#/${localName(originalType)}`, nested)
  comparing.delete(pair)
  if (nested.length > 0) issues.push(...nested, difference(path, 'FIELD_NAMED_TYPE_CHANGED'))
}

function compareMessage(
  sides: Sides,
  original: protobuf.Type,
  update: protobuf.Type,
  path: string,
  issues: string[],
): void {
  const updateById = new Map(update.fieldsArray.map((field) => [field.id, field]))
  const originalById = new Map(original.fieldsArray.map((field) => [field.id, field]))
  const movedToNewOneof = new Map<string, number>()
  for (const field of original.fieldsArray) {
    const updated = updateById.get(field.id)
    const fieldPath = `${path}.${field.name}`
    if (updated === undefined) {
      if (field.required) issues.push(difference(fieldPath, 'REQUIRED_FIELD_REMOVED'))
      else if (oneofOf(field) !== null) issues.push(difference(fieldPath, 'ONEOF_FIELD_REMOVED'))
      continue
    }
    compareField(sides, field, updated, fieldPath, issues)
    const before = oneofOf(field)
    const after = oneofOf(updated)
    if (before === null && after !== null) {
      const existed = original.oneofsArray.some((oneof) => oneof.name === after)
      if (existed) issues.push(difference(fieldPath, 'FIELD_MOVED_TO_EXISTING_ONEOF'))
      else movedToNewOneof.set(after, (movedToNewOneof.get(after) ?? 0) + 1)
    } else if (before !== null && after === null) {
      issues.push(difference(fieldPath, 'ONEOF_FIELD_REMOVED'))
    }
  }
  for (const [oneof, count] of movedToNewOneof)
    if (count > 1) issues.push(difference(`${path}.${oneof}`, 'MULTIPLE_FIELDS_MOVED_TO_ONEOF'))
  for (const field of update.fieldsArray) {
    if (!originalById.has(field.id) && field.required)
      issues.push(difference(`${path}.${field.name}`, 'REQUIRED_FIELD_ADDED'))
  }
}

/** Why data written with `original` cannot be read with `update` (Confluent's incompatible differences). */
export function protobufReaderIssues(sides: Sides): string[] {
  const issues: string[] = []
  for (const [name, original] of sides.original.messages) {
    const update = sides.update.messages.get(name)
    if (update === undefined) {
      issues.push(difference(`#/${name}`, 'MESSAGE_REMOVED'))
      continue
    }
    compareMessage(sides, original, update, `#/${name}`, issues)
  }
  return issues
}
