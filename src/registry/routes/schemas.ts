// Schemas by global id.
//   GET /schemas                      every subject-version (subjectPrefix, deleted, latestOnly, offset, limit)
//   GET /schemas/ids/{id}             the schema (fetchMaxId adds maxId; subject picks whose metadata)
//   GET /schemas/ids/{id}/schema      the schema text alone
//   GET /schemas/ids/{id}/subjects    subjects using it (deleted: soft-deleted too)
//   GET /schemas/ids/{id}/versions    subject-versions using it (deleted: soft-deleted too)
// `format=serialized` gives a Protobuf schema as a base64 FileDescriptorProto (other formats: as stored).
// Error codes: 40403 schema not found. Gaps: none known.

import { schemaNotFound } from '../errors.ts'
import { booleanParam, integerParam } from '../query.ts'
import { defineRoutes, type RouteRequest } from '../route.ts'
import type { SchemaValue } from '../store/records.ts'
import type { SchemaContent } from '../store/state.ts'
import { schemaStringView, schemaView } from '../views.ts'

function contentOf({ params, services }: RouteRequest): SchemaContent {
  const id = /^\d{1,10}$/.test(params.id) ? Number(params.id) : Number.NaN
  const content = services.store.state.contents.get(id)
  if (content === undefined) throw schemaNotFound()
  return content
}

function usersOf(request: RouteRequest, content: SchemaContent): SchemaValue[] {
  const deleted = booleanParam(request.query, 'deleted')
  return request.services.store.state.usersOf(content.id).filter((value) => deleted || !value.deleted)
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
        if (!subject.startsWith(prefix)) continue
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
      const content = contentOf(request)
      const subject = request.query.get('subject')
      const users = request.services.store.state.usersOf(content.id)
      const owner = users.find((value) => value.subject === subject) ?? users[0]
      const body = schemaStringView(content, { metadata: owner?.metadata, ruleSet: owner?.ruleSet })
      body.schema = await request.services.store.schemaTextOf(content.id, request.query.get('format'))
      if (booleanParam(request.query, 'fetchMaxId')) body.maxId = request.services.store.state.maxId
      return { body }
    },
  },
  {
    method: 'GET',
    path: '/schemas/ids/{id}/schema',
    summary: 'the schema text of a global id',
    handle: (request) => ({ body: contentOf(request).schema, raw: true }),
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
