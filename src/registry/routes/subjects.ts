// Subjects and their versions.
//   GET    /subjects                                   subjects (deleted, subjectPrefix; `:*:` any context)
//   POST   /subjects/{subject}                         look a schema up (normalize, deleted)
//   DELETE /subjects/{subject}                         soft delete; permanent=true after a soft delete
//   GET    /subjects/{subject}/versions                versions (deleted)
//   POST   /subjects/{subject}/versions                register (normalize); answers {"id"}
//   GET    /subjects/{subject}/versions/{version}      a version ("latest" or -1 too; deleted, format)
//   DELETE /subjects/{subject}/versions/{version}      soft delete; permanent=true after a soft delete
//   GET    /subjects/{subject}/versions/{version}/schema        the schema text alone
//   GET    /subjects/{subject}/versions/{version}/referencedby  ids of schemas referencing it
// Error codes: 40401, 40402, 40403, 40404, 40405, 40406, 40407, 40901, 42201, 42202, 42205, 42206,
// 50001. Gaps: none known.

import { subjectNotFound } from '../errors.ts'
import { booleanParam, versionParam } from '../query.ts'
import { defineRoutes } from '../route.ts'
import { schemaRequestOf } from '../schema-request.ts'
import { contextOf, matchesSubjectPrefix } from '../store/contexts.ts'
import {
  deleteSubject,
  deleteVersion,
  lookUpSchema,
  referencedBy,
  registerSchema,
  versionOf,
} from '../subject-operations.ts'
import { schemaView } from '../views.ts'

export const subjectRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/subjects',
    summary: 'subjects',
    handle: ({ query, services }) => {
      const deleted = booleanParam(query, 'deleted')
      const prefix = query.get('subjectPrefix') ?? ''
      const { state } = services.store
      const subjects = [...state.subjects.keys()].filter(
        (subject) =>
          matchesSubjectPrefix(subject, prefix) && state.versionsOf(subject, { deleted }).length > 0,
      )
      return { body: subjects.sort() }
    },
  },
  {
    method: 'POST',
    path: '/subjects/{subject}',
    summary: 'look a schema up under a subject',
    handle: async ({ params, query, body, services }) => {
      const found = await lookUpSchema(services.store, params.subject, schemaRequestOf(body), {
        normalize: booleanParam(query, 'normalize'),
        deleted: booleanParam(query, 'deleted'),
      })
      return { body: schemaView(found) }
    },
  },
  {
    method: 'DELETE',
    path: '/subjects/{subject}',
    summary: 'delete a subject (soft, then permanent=true)',
    handle: async ({ params, query, services }) => ({
      body: await deleteSubject(services.store, params.subject, {
        permanent: booleanParam(query, 'permanent'),
      }),
    }),
  },
  {
    method: 'GET',
    path: '/subjects/{subject}/versions',
    summary: 'versions of a subject',
    handle: ({ params, query, services }) => {
      const versions = services.store.state.versionsOf(params.subject, {
        deleted: booleanParam(query, 'deleted'),
      })
      if (versions.length === 0) throw subjectNotFound(params.subject)
      return { body: versions.map((value) => value.version) }
    },
  },
  {
    method: 'POST',
    path: '/subjects/{subject}/versions',
    summary: 'register a schema under a subject',
    handle: async ({ params, query, body, services }) => {
      const value = await registerSchema(services.store, params.subject, schemaRequestOf(body), {
        normalize: booleanParam(query, 'normalize'),
      })
      return { body: { id: value.id } }
    },
  },
  {
    method: 'GET',
    path: '/subjects/{subject}/versions/{version}',
    summary: 'a version of a subject',
    handle: async ({ params, query, services }) => {
      const value = versionOf(services.store, params.subject, versionParam(params.version), {
        deleted: booleanParam(query, 'deleted'),
      })
      const schema = await services.store.schemaTextOf(
        value.id,
        query.get('format'),
        contextOf(value.subject),
      )
      return { body: schemaView({ ...value, schema }) }
    },
  },
  {
    method: 'DELETE',
    path: '/subjects/{subject}/versions/{version}',
    summary: 'delete a version (soft, then permanent=true)',
    handle: async ({ params, query, services }) => ({
      body: await deleteVersion(services.store, params.subject, versionParam(params.version), {
        permanent: booleanParam(query, 'permanent'),
      }),
    }),
  },
  {
    method: 'GET',
    path: '/subjects/{subject}/versions/{version}/schema',
    summary: 'the schema text of a version',
    handle: ({ params, query, services }) => ({
      body: versionOf(services.store, params.subject, versionParam(params.version), {
        deleted: booleanParam(query, 'deleted'),
      }).schema,
      raw: true,
    }),
  },
  {
    method: 'GET',
    path: '/subjects/{subject}/versions/{version}/referencedby',
    summary: 'ids of schemas referencing a version',
    handle: ({ params, services }) => {
      const value = versionOf(services.store, params.subject, versionParam(params.version), { deleted: true })
      return { body: referencedBy(services.store, params.subject, value.version) }
    },
  },
])
