// PROTOBUF schemas: `.proto` text (proto2 or proto3) parsed with protobufjs; imports resolved through
// the references (a reference's name is the import path) and Google's well-known types
// (google/protobuf/*.proto, built into protobufjs); every type name must resolve and field numbers be
// unique (protobufjs's descriptor checks). Canonical text: the text as given, trimmed; normalized:
// whitespace and comments collapsed. Compatibility: protobuf-compatibility.ts.

import protobuf from 'protobufjs'
import { invalidSchema } from '../errors.ts'
import { collectMessages, type ProtoMessages, protobufReaderIssues } from './protobuf-compatibility.ts'
import type { ParsedSchema, ResolvedReference, SchemaFormat } from './types.ts'

const parseOptions = { keepCase: true, alternateCommentMode: false }

function normalizeProto(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};=,<>()[\]])\s*/g, '$1')
    .trim()
}

export class ProtobufSchema implements ParsedSchema {
  readonly schemaType = 'PROTOBUF'
  readonly canonical: string
  readonly normalized: string
  readonly packageName: string
  readonly messages: ProtoMessages

  constructor(text: string, packageName: string, messages: ProtoMessages) {
    this.canonical = text.trim()
    this.normalized = normalizeProto(text)
    this.packageName = packageName
    this.messages = messages
  }

  readerIssues(writer: ParsedSchema): string[] {
    if (!(writer instanceof ProtobufSchema)) return ['TYPE_CHANGED: the old schema is not a Protobuf schema']
    return protobufReaderIssues({ original: writer, update: this })
  }
}

function addWellKnown(root: protobuf.Root, file: string): boolean {
  const json = protobuf.common.get(file)
  if (json === null || json === undefined) return false
  root.addJSON(json.nested ?? {})
  return true
}

export const protobufFormat: SchemaFormat = {
  schemaType: 'PROTOBUF',
  parse(schema: string, references: readonly ResolvedReference[]): ProtobufSchema {
    const root = new protobuf.Root()
    const known = new Set(references.map((reference) => reference.name))
    const loadedWellKnown = new Set<string>()
    const importsOf = (parsed: protobuf.IParserResult, what: string): void => {
      for (const file of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
        if (known.has(file) || loadedWellKnown.has(file)) continue
        if (addWellKnown(root, file)) loadedWellKnown.add(file)
        else throw invalidSchema(`${what}: import "${file}" is neither a reference nor a well-known type`)
      }
    }
    try {
      for (const reference of references)
        importsOf(protobuf.parse(reference.schema, root, parseOptions), `reference ${reference.name}`)
      // The file's own messages: parsed alone first, so imported types are not counted as its own.
      const own = new Set<string>()
      collectMessages(protobuf.parse(schema, new protobuf.Root(), parseOptions).root, '', own)
      const parsed = protobuf.parse(schema, root, parseOptions)
      importsOf(parsed, 'schema')
      root.resolveAll()
      const packageName = parsed.package ?? ''
      return new ProtobufSchema(schema, packageName, messagesOfFile(root, packageName, own))
    } catch (error) {
      if (error instanceof Error && error.name === 'RegistryError') throw error
      throw invalidSchema(`${schema.slice(0, 200)}, details: ${(error as Error).message}`)
    }
  },
}

/** The message types the main file defined (not its imports'), by name relative to its package. */
function messagesOfFile(root: protobuf.Root, packageName: string, own: ReadonlySet<string>): ProtoMessages {
  const all = new Set<string>()
  const types = collectMessages(root, '', all)
  const messages: ProtoMessages = new Map()
  for (const [fullName, type] of types) {
    if (!own.has(fullName)) continue
    const local =
      packageName !== '' && fullName.startsWith(`${packageName}.`)
        ? fullName.slice(packageName.length + 1)
        : fullName
    messages.set(local, type)
  }
  return messages
}
