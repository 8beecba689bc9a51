// PROTOBUF schemas, in either form Confluent accepts: `.proto` text (proto2 or proto3), or a
// base64-encoded FileDescriptorProto (what the Python and @confluentinc serializers register).
// Imports are resolved through the references (a reference's name is the import path; a referenced
// schema may itself be text or a descriptor) and Google's well-known types (google/protobuf/*.proto,
// built into protobufjs) and the confluent/… and google/type/… files Confluent's registry knows
// (protobuf-known-types.ts); every type name must resolve and field numbers be unique (protobufjs's
// descriptor checks). Canonical text: as given, trimmed; normalized: whitespace and comments
// collapsed. `serialized()` gives the descriptor form (`format=serialized`). Compatibility:
// protobuf-compatibility.ts.

import protobuf from 'protobufjs'
import descriptor from 'protobufjs/ext/descriptor.js'
import { invalidSchema } from '../errors.ts'
import './protobuf-known-types.ts'
import { collectMessages, type ProtoMessages, protobufReaderIssues } from './protobuf-compatibility.ts'
import {
  type MessageNode,
  messageOfPayload,
  messageTreeOfDescriptor,
  messageTreeOfText,
} from './protobuf-payload.ts'
import type { ParsedSchema, ResolvedReference, SchemaFormat } from './types.ts'

const parseOptions = { keepCase: true, alternateCommentMode: false }

type FileDescriptor = descriptor.IFileDescriptorProto

function normalizeProto(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};=,<>()[\]])\s*/g, '$1')
    .trim()
}

/** Text has keywords and punctuation a base64 string cannot hold. */
function isProtoText(schema: string): boolean {
  return !/^[A-Za-z0-9+/=\s]+$/.test(schema) || /\b(syntax|message|package|edition)\b/.test(schema)
}

function decodeDescriptor(schema: string): FileDescriptor {
  const message = descriptor.FileDescriptorProto.decode(Buffer.from(schema.replace(/\s/g, ''), 'base64'))
  return descriptor.FileDescriptorProto.toObject(message) as FileDescriptor
}

export class ProtobufSchema implements ParsedSchema {
  readonly schemaType = 'PROTOBUF'
  readonly canonical: string
  readonly normalized: string
  readonly packageName: string
  readonly messages: ProtoMessages
  private readonly descriptorOf: () => string
  /** Every file's types, imports included (payloads are decoded with it). */
  readonly root: protobuf.Root
  /** The file's own messages in declaration order (what a payload's message indexes walk). */
  readonly messageTree: readonly MessageNode[]

  constructor(
    text: string,
    parsed: {
      packageName: string
      messages: ProtoMessages
      descriptor: () => string
      root: protobuf.Root
      messageTree: MessageNode[]
    },
  ) {
    this.canonical = text.trim()
    this.normalized = isProtoText(text) ? normalizeProto(text) : this.canonical
    this.packageName = parsed.packageName
    this.messages = parsed.messages
    this.descriptorOf = parsed.descriptor
    this.root = parsed.root
    this.messageTree = parsed.messageTree
  }

  recordName(payload: Buffer): string | null {
    const message = messageOfPayload(this.messageTree, payload)
    return typeof message === 'string' ? null : message.fullName
  }

  decodeToJson(payload: Buffer): unknown {
    const message = messageOfPayload(this.messageTree, payload)
    if (typeof message === 'string') throw new Error(message)
    const type = this.root.lookupType(message.fullName)
    // Protobuf's JSON mapping as protobufjs gives it: 64-bit integers and enums as strings, bytes base64.
    return type.toObject(type.decode(payload.subarray(message.offset)), {
      longs: String,
      enums: String,
      bytes: String,
      json: true,
    })
  }

  /** The message type the payload's message indexes name and where its bytes start, or why none. */
  messageTypeOf(payload: Buffer): { type: protobuf.Type; offset: number } | string {
    const message = messageOfPayload(this.messageTree, payload)
    if (typeof message === 'string') return message
    return { type: this.root.lookupType(message.fullName), offset: message.offset }
  }

  encodeFromJson(document: unknown): Buffer {
    const first = this.messageTree[0]
    if (first === undefined) throw new Error('the schema has no message')
    const type = this.root.lookupType(first.fullName)
    if (typeof document !== 'object' || document === null || Array.isArray(document))
      throw new Error(`Protobuf ${first.fullName} needs a JSON object`)
    // fromObject takes Protobuf's JSON mapping (enums by name, 64-bit integers as strings), as decoded.
    const body = type.encode(type.fromObject(document as Record<string, unknown>)).finish()
    // Message indexes [0] (the first message) are written as the single byte 0, as Confluent's serializer does.
    return Buffer.concat([Buffer.from([0]), body])
  }

  payloadIssue(payload: Buffer): string | null {
    const message = messageOfPayload(this.messageTree, payload)
    if (typeof message === 'string') return message
    try {
      this.root.lookupType(message.fullName).decode(payload.subarray(message.offset))
      return null
    } catch (error) {
      return `does not decode as Protobuf ${message.fullName}: ${(error as Error).message}`
    }
  }

  /** The schema as a base64 FileDescriptorProto (Confluent's `format=serialized`). */
  serialized(): string {
    return this.descriptorOf()
  }

  readerIssues(writer: ParsedSchema): string[] {
    if (!(writer instanceof ProtobufSchema)) return ['TYPE_CHANGED: the old schema is not a Protobuf schema']
    return protobufReaderIssues({ original: writer, update: this })
  }
}

/** A root holding files added one by one, as text or as descriptors. */
class FileSet {
  root = new protobuf.Root()
  private readonly available: ReadonlySet<string>
  private readonly wellKnownLoaded = new Set<string>()

  constructor(available: ReadonlySet<string>) {
    this.available = available
  }

  private addImports(imports: readonly string[], what: string): void {
    for (const file of imports) {
      if (this.available.has(file) || this.wellKnownLoaded.has(file)) continue
      const json = protobuf.common.get(file)
      if (json === null || json === undefined)
        throw invalidSchema(`${what}: import "${file}" is neither a reference nor a well-known type`)
      this.root.addJSON(json.nested ?? {})
      this.wellKnownLoaded.add(file)
    }
  }

  addText(text: string, what: string): protobuf.IParserResult {
    const parsed = protobuf.parse(text, this.root, parseOptions)
    this.addImports([...(parsed.imports ?? []), ...(parsed.weakImports ?? [])], what)
    return parsed
  }

  addDescriptor(file: FileDescriptor, what: string): void {
    this.addImports(file.dependency ?? [], what)
    // fromDescriptor resolves every type, so the files already known go in the same set.
    const known = this.root.nestedArray.length === 0 ? [] : this.root.toDescriptor('proto3').file
    const set = descriptor.FileDescriptorSet.encode({ file: [...known, file] }).finish()
    this.root = protobuf.Root.fromDescriptor(set, { keepCase: true })
  }
}

function descriptorMessageNames(file: FileDescriptor): Set<string> {
  const names = new Set<string>()
  const walk = (
    messages: readonly descriptor.IDescriptorProto[] | null | undefined,
    prefix: string,
  ): void => {
    for (const message of messages ?? []) {
      const name = prefix === '' ? String(message.name) : `${prefix}.${String(message.name)}`
      names.add(name)
      walk(message.nestedType, name)
    }
  }
  walk(file.messageType, file.package ?? '')
  return names
}

function ownMessages(root: protobuf.Root, packageName: string, own: ReadonlySet<string>): ProtoMessages {
  const messages: ProtoMessages = new Map()
  for (const [fullName, type] of collectMessages(root, '', new Set())) {
    if (!own.has(fullName)) continue
    const local =
      packageName !== '' && fullName.startsWith(`${packageName}.`)
        ? fullName.slice(packageName.length + 1)
        : fullName
    messages.set(local, type)
  }
  return messages
}

/**
 * The main file of a text schema as a base64 FileDescriptorProto, imports kept as dependencies, as
 * protoc writes it: only the file's own top-level types (`root` also holds its imports, and protobufjs
 * groups types by package, so an imported file of the same package would otherwise be copied in), and
 * type names fully qualified (`.common.Money`): a reader resolving them across files (Confluent's
 * deserializers, protoc's descriptor pool) needs no guess about relative scopes.
 */
function textToDescriptor(
  root: protobuf.Root,
  file: { packageName: string; imports: readonly string[]; ownTopLevel: ReadonlySet<string> },
): string {
  const files = root.toDescriptor('proto3').file
  const found = files.find((candidate) => (candidate.package ?? '') === file.packageName) ?? files[0]
  const scope = file.packageName === '' ? '' : `.${file.packageName}`
  const messageType = (found.messageType ?? []).filter((message) => file.ownTopLevel.has(message.name ?? ''))
  for (const message of messageType) qualifyTypeNames(root, message, `${scope}.${message.name}`)
  const main = {
    ...found,
    messageType,
    enumType: (found.enumType ?? []).filter((entry) => file.ownTopLevel.has(entry.name ?? '')),
    dependency: [...file.imports],
  }
  return Buffer.from(descriptor.FileDescriptorProto.encode(main).finish()).toString('base64')
}

/** Sets each field's type name of `message` (full name `fullName`) and its nested messages to the
 * resolved type's full name. Map entries (protobufjs has no type for them) keep their names. */
function qualifyTypeNames(root: protobuf.Root, message: descriptor.IDescriptorProto, fullName: string): void {
  const type = root.lookup(fullName)
  if (!(type instanceof protobuf.Type)) return
  for (const field of message.field ?? []) {
    const resolved = type.fields[field.name ?? '']?.resolvedType
    if (field.typeName && resolved !== null && resolved !== undefined) field.typeName = resolved.fullName
  }
  for (const nested of message.nestedType ?? []) qualifyTypeNames(root, nested, `${fullName}.${nested.name}`)
}

function parseProtobuf(schema: string, references: readonly ResolvedReference[]): ProtobufSchema {
  const files = new FileSet(new Set(references.map((reference) => reference.name)))
  for (const reference of references) {
    const what = `reference ${reference.name}`
    if (isProtoText(reference.schema)) files.addText(reference.schema, what)
    else files.addDescriptor(decodeDescriptor(reference.schema), what)
  }
  if (!isProtoText(schema)) {
    const file = decodeDescriptor(schema)
    files.addDescriptor(file, 'schema')
    files.root.resolveAll()
    const packageName = file.package ?? ''
    const messages = ownMessages(files.root, packageName, descriptorMessageNames(file))
    return new ProtobufSchema(schema, {
      packageName,
      messages,
      descriptor: () => schema.trim(),
      root: files.root,
      messageTree: messageTreeOfDescriptor(file),
    })
  }
  // The file's own messages: parsed alone first, so imported types are not counted as its own.
  const own = new Set<string>()
  const alone = protobuf.parse(schema, new protobuf.Root(), parseOptions)
  collectMessages(alone.root, '', own)
  const parsed = files.addText(schema, 'schema')
  files.root.resolveAll()
  const packageName = parsed.package ?? ''
  const imports = [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]
  const ownNamespace = packageName === '' ? alone.root : alone.root.lookup(packageName)
  const ownTopLevel = new Set(
    ownNamespace instanceof protobuf.Namespace ? ownNamespace.nestedArray.map((nested) => nested.name) : [],
  )
  let serialized: string | null = null
  return new ProtobufSchema(schema, {
    packageName,
    messages: ownMessages(files.root, packageName, own),
    root: files.root,
    messageTree: messageTreeOfText(alone.root, packageName),
    descriptor: () => {
      serialized ??= textToDescriptor(files.root, { packageName, imports, ownTopLevel })
      return serialized
    },
  })
}

export const protobufFormat: SchemaFormat = {
  schemaType: 'PROTOBUF',
  parse(schema: string, references: readonly ResolvedReference[]): ProtobufSchema {
    try {
      return parseProtobuf(schema, references)
    } catch (error) {
      if (error instanceof Error && error.name === 'RegistryError') throw error
      throw invalidSchema(`${schema.slice(0, 200)}, details: ${(error as Error).message}`)
    }
  },
}
