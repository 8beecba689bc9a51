// Confluent's Protobuf wire format after the magic byte and schema id: the message indexes (a
// zigzag-varint count, then each index as a zigzag varint; a lone 0 stands for [0], the first
// message), then the message. The indexes walk the file's messages in declaration order: the first
// picks a top-level message, each next one a message nested in the previous.

import protobuf from 'protobufjs'
import type descriptor from 'protobufjs/ext/descriptor.js'

/** A message of the schema's own file and the messages declared inside it, in declaration order. */
export interface MessageNode {
  fullName: string
  nested: MessageNode[]
}

/** At most this many indexes (nesting this deep is not a real schema). */
const indexesMax = 64

/** The file's messages from its own parse (not its imports): `root` holds only that file. */
export function messageTreeOfText(root: protobuf.Root, packageName: string): MessageNode[] {
  const namespace = packageName === '' ? root : root.lookup(packageName)
  if (!(namespace instanceof protobuf.Namespace)) return []
  return typeNodes(namespace, packageName)
}

function typeNodes(namespace: protobuf.NamespaceBase, prefix: string): MessageNode[] {
  const nodes: MessageNode[] = []
  for (const nested of namespace.nestedArray) {
    if (!(nested instanceof protobuf.Type)) continue
    const fullName = prefix === '' ? nested.name : `${prefix}.${nested.name}`
    nodes.push({ fullName, nested: typeNodes(nested, fullName) })
  }
  return nodes
}

/** The file's messages from its descriptor. */
export function messageTreeOfDescriptor(file: descriptor.IFileDescriptorProto): MessageNode[] {
  const walk = (
    messages: readonly descriptor.IDescriptorProto[] | null | undefined,
    prefix: string,
  ): MessageNode[] =>
    (messages ?? []).map((message) => {
      const fullName = prefix === '' ? String(message.name) : `${prefix}.${String(message.name)}`
      return { fullName, nested: walk(message.nestedType, fullName) }
    })
  return walk(file.messageType, file.package ?? '')
}

/** Reads one unsigned varint (up to 32 bits); null when truncated or too long. */
function readVarint(bytes: Buffer, start: number): { value: number; next: number } | null {
  let value = 0
  for (let shift = 0, position = start; shift < 35; shift += 7, position++) {
    if (position >= bytes.length) return null
    const byte = bytes[position]
    value |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) return { value: value >>> 0, next: position + 1 }
  }
  return null
}

function readZigzag(bytes: Buffer, start: number): { value: number; next: number } | null {
  const read = readVarint(bytes, start)
  if (read === null) return null
  return { value: (read.value >>> 1) ^ -(read.value & 1), next: read.next }
}

/** The message the payload's indexes name and where its bytes start, or a reason it has none. */
export function messageOfPayload(
  tree: readonly MessageNode[],
  payload: Buffer,
): { fullName: string; offset: number } | string {
  const count = readZigzag(payload, 0)
  if (count === null) return 'the message indexes are truncated'
  if (count.value < 0 || count.value > indexesMax) return `${count.value} message indexes`
  const indexes = count.value === 0 ? [0] : []
  let offset = count.next
  for (let read = 0; read < count.value; read++) {
    const index = readZigzag(payload, offset)
    if (index === null) return 'the message indexes are truncated'
    indexes.push(index.value)
    offset = index.next
  }
  let level = tree
  let found: MessageNode | undefined
  for (const index of indexes) {
    found = level[index]
    if (found === undefined) return `message index ${index} names no message of the schema`
    level = found.nested
  }
  if (found === undefined) return 'the schema has no message'
  return { fullName: found.fullName, offset }
}
