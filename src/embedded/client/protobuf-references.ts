// The references a Protobuf serializer registers its schema with, as Confluent's Protobuf serializers
// (Java's and @confluentinc/schemaregistry's) build them with auto.register.schemas: every file the
// schema imports is registered first under a subject of its own named after its import path
// (Confluent's DefaultReferenceSubjectNameStrategy), its own imports before it, and referred to as
// { name: path, subject: path, version }. Files the registry knows without references are skipped
// (google/protobuf/*, google/type/*, confluent/*: Confluent's predefined dependencies). With
// autoRegisterSchemas false the imported files are looked up under those subjects instead (40401/40403
// when missing). The imported files' text comes from the serializer's `imports` option (a path → text
// map: what protoc's include path would find); references given in `references` are used as given.

import protobuf from 'protobufjs'
import { EncodeError } from '../../errors.ts'
import type { SchemaReference } from '../../registry/store/records.ts'
import type { RegistryStore } from '../../registry/store/registry-store.ts'
import type { ProtobufSerializerOptions } from './registry-serdes.ts'

/** Imports Confluent's registry resolves itself (no reference, nothing registered). */
export function isPredefinedImport(path: string): boolean {
  return (
    path.startsWith('google/protobuf/') || path.startsWith('google/type/') || path.startsWith('confluent/')
  )
}

function importsOf(text: string, what: string): string[] {
  let parsed: protobuf.IParserResult
  try {
    parsed = protobuf.parse(text, new protobuf.Root(), { keepCase: true })
  } catch (error) {
    throw new EncodeError(`${what} is not a valid .proto file: ${(error as Error).message}`)
  }
  return [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]
}

/** The references of `schema` (the serializer's `.proto` text), registering imported files as needed. */
export async function protobufReferences(
  store: RegistryStore,
  schema: string,
  options: ProtobufSerializerOptions,
): Promise<SchemaReference[]> {
  const { registerSchema, lookUpSchema } = await import('../../registry/subject-operations.ts')
  const given = (options.references ?? []).map(({ name, subject, version }) => ({ name, subject, version }))
  const imports = options.imports ?? {}
  const normalize = options.normalizeSchemas === true
  const resolved = new Map<string, Promise<SchemaReference>>()
  const resolving: string[] = []

  const referencesOf = async (text: string, what: string, explicit: SchemaReference[]) => {
    const references = [...explicit]
    for (const path of importsOf(text, what)) {
      if (references.some((reference) => reference.name === path) || isPredefinedImport(path)) continue
      references.push(await fileReference(path, what))
    }
    return references
  }

  const fileReference = (path: string, importer: string): Promise<SchemaReference> => {
    if (resolving.includes(path))
      throw new EncodeError(`import cycle: ${[...resolving, path].map((file) => `"${file}"`).join(' → ')}`)
    let found = resolved.get(path)
    if (found === undefined) {
      const text = imports[path]
      if (text === undefined)
        throw new EncodeError(
          `${importer} imports "${path}": give its text in \`imports\` (it is registered as subject "${path}") or pass a reference to it in \`references\``,
        )
      resolving.push(path)
      found = (async () => {
        try {
          const request = {
            schemaType: 'PROTOBUF' as const,
            schema: text,
            references: await referencesOf(text, `import "${path}"`, []),
          }
          const value =
            options.autoRegisterSchemas === false
              ? await lookUpSchema(store, path, request, { normalize, deleted: false })
              : await registerSchema(store, path, request, { normalize })
          return { name: path, subject: path, version: value.version }
        } finally {
          resolving.splice(resolving.indexOf(path), 1)
        }
      })()
      resolved.set(path, found)
    }
    return found
  }

  return referencesOf(schema, 'the schema', given)
}
