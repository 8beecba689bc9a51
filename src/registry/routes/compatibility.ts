// Compatibility tests of a schema against a subject's versions, under the subject's level.
//   POST /compatibility/subjects/{subject}/versions/{version}  against one version ("latest", -1)
//   POST /compatibility/subjects/{subject}/versions            against the versions the level names
// Both answer {"is_compatible": bool}; verbose=true adds "messages" (the reasons). normalize accepted.
// Error codes: 40401, 40402, 42201, 42202. Gaps: none known.

import { type CompatibilityLevel, compatibilityIssues } from '../compatibility.ts'
import { booleanParam, versionParam } from '../query.ts'
import { defineRoutes, type RouteAnswer } from '../route.ts'
import { schemaRequestOf } from '../schema-request.ts'
import { compatibilityOf } from '../settings.ts'
import { contextOf } from '../store/contexts.ts'
import { previousSchemas, versionOf } from '../subject-operations.ts'

function answer(
  issues: string[],
  verbose: boolean,
  context: { level: CompatibilityLevel; version?: number; schema?: string },
): RouteAnswer {
  if (!verbose) return { body: { is_compatible: issues.length === 0 } }
  const messages =
    issues.length === 0
      ? []
      : [
          ...issues,
          ...(context.version === undefined ? [] : [`{oldSchemaVersion: ${context.version}}`]),
          ...(context.schema === undefined ? [] : [`{oldSchema: '${context.schema}'}`]),
          `{compatibility: '${context.level}'}`,
        ]
  return { body: { is_compatible: issues.length === 0, messages } }
}

export const compatibilityRoutes = defineRoutes([
  {
    method: 'POST',
    path: '/compatibility/subjects/{subject}/versions/{version}',
    summary: 'test a schema against one version',
    handle: async ({ params, query, body, services }) => {
      const { store } = services
      const request = schemaRequestOf(body)
      const version = versionParam(params.version)
      const old = versionOf(store, params.subject, version, { deleted: false })
      const context = contextOf(params.subject)
      const candidate = await store.parse(request.schemaType, request.schema, request.references, context)
      const level = compatibilityOf(store.state, params.subject)
      const direct = level.replace('_TRANSITIVE', '') as CompatibilityLevel
      const issues = compatibilityIssues(direct, candidate, [await store.parsedSchemaOf(old.id, context)])
      return answer(issues, booleanParam(query, 'verbose'), {
        level,
        version: old.version,
        schema: old.schema,
      })
    },
  },
  {
    method: 'POST',
    path: '/compatibility/subjects/{subject}/versions',
    summary: 'test a schema against the versions its level names',
    handle: async ({ params, query, body, services }) => {
      const { store } = services
      const request = schemaRequestOf(body)
      const candidate = await store.parse(
        request.schemaType,
        request.schema,
        request.references,
        contextOf(params.subject),
      )
      const level = compatibilityOf(store.state, params.subject)
      const issues = compatibilityIssues(
        level,
        candidate,
        await previousSchemas(store.committed, params.subject, level),
      )
      return answer(issues, booleanParam(query, 'verbose'), { level })
    },
  },
])
