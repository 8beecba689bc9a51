// Schemas by id. Ids are per context: `subject` (on every /schemas/ids route) names the context, as
// Confluent's getSchemaKeyUsingContexts does: none → the default context; `:.ctx:name` → context
// `.ctx`, and only if that subject uses the id (`:.ctx:` alone: any subject there); an unqualified
// name → the default context if that subject uses the id there, else a context whose `:.ctx:name`
// does, else the default context.
//   GET /schemas                      every subject-version (subjectPrefix, `:*:` wildcard, deleted, latestOnly, offset, limit)
//   GET /schemas/ids/{id}             the schema (fetchMaxId adds maxId; subject picks whose metadata)
//   GET /schemas/ids/{id}/schema      the schema text alone
//   GET /schemas/ids/{id}/subjects    subjects using it (deleted: soft-deleted too)
//   GET /schemas/ids/{id}/versions    subject-versions using it (deleted: soft-deleted too)
// `format=serialized` gives a Protobuf schema as a base64 FileDescriptorProto (other formats: as stored).
// Error codes: 40403 schema not found. Gaps: none known.

import { schemaNotFound } from '../errors.ts'
import { booleanParam, integerParam } from '../query.ts'
import { defineRoutes, type RouteRequest } from '../route.ts'
import { contextOfId, matchesSubjectPrefix } from '../store/contexts.ts'
import type { SchemaValue } from '../store/records.ts'
import type { RegistryState, SchemaContent } from '../store/state.ts'
import { schemaStringView, schemaView } from '../views.ts'

interface IdInContext {
  content: SchemaContent
  context: string
}

function contentOf({ params, query, services }: RouteRequest): IdInContext {
  const id = /^\d{1,10}$/.test(params.id) ? Number(params.id) : Number.NaN
  const { state } = services.store
  const context = contextOfId(state, id, query.get('subject'))
  const content = context === undefined ? undefined : state.spaceOf(context)?.contents.get(id)
  if (content === undefined || context === undefined) throw schemaNotFound()
  return { content, context }
}

function usersOf(request: RouteRequest, { content, context }: IdInContext): SchemaValue[] {
  const deleted = booleanParam(request.query, 'deleted')
  return request.services.store.state
    .usersOf(content.id, context)
    .filter((value) => deleted || !value.deleted)
}

export const schemaRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/schemas',
    summary: 'every subject-version, filtered and paged',
    handle: ({ query, services }) => {
      const prefix = query.get('subjectPrefix') ?? ''
      const deleted = booleanParam(query, 'deleted')
      const latestOnly = booleanParam(query, 'latestOnly')
      const offset = Math.max(0, integerParam(query, 'offset', 0))
      const limit = integerParam(query, 'limit', -1)
      const { state } = services.store
      const all: SchemaValue[] = []
      for (const subject of [...state.subjects.keys()].sort()) {
        if (!matchesSubjectPrefix(subject, prefix)) continue
        const versions = state.versionsOf(subject, { deleted })
        all.push(...(latestOnly ? versions.slice(-1) : versions))
      }
      const page = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset)
      return { body: page.map(schemaView) }
    },
  },
  {
    method: 'GET',
    path: '/schemas/ids/{id}',
    summary: 'the schema of a global id',
    handle: async (request) => {
      const { content, context } = contentOf(request)
      const { state } = request.services.store
      const subject = request.query.get('subject')
      const users = state.usersOf(content.id, context)
      const owner = users.find((value) => value.subject === subject) ?? users[0]
      const body = schemaStringView(content, { metadata: owner?.metadata, ruleSet: owner?.ruleSet })
      body.schema = await request.services.store.schemaTextOf(
        content.id,
        request.query.get('format'),
        context,
      )
      if (booleanParam(request.query, 'fetchMaxId')) body.maxId = state.spaceOf(context)?.maxId ?? 0
      return { body }
    },
  },
  {
    method: 'GET',
    path: '/schemas/ids/{id}/schema',
    summary: 'the schema text of a global id',
    handle: (request) => ({ body: contentOf(request).content.schema, raw: true }),
  },
  {
    method: 'GET',
    path: '/schemas/ids/{id}/subjects',
    summary: 'subjects registered with a global id',
    handle: (request) => {
      const users = usersOf(request, contentOf(request))
      return { body: [...new Set(users.map((value) => value.subject))] }
    },
  },
  {
    method: 'GET',
    path: '/schemas/ids/{id}/versions',
    summary: 'subject-versions registered with a global id',
    handle: (request) => ({
      body: usersOf(request, contentOf(request)).map((value) => ({
        subject: value.subject,
        version: value.version,
      })),
    }),
  },
])
