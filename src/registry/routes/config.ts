// Compatibility configuration, global and per subject (Confluent's ConfigResource).
//   GET    /config              {"compatibilityLevel": …} (and other stored settings)
//   PUT    /config              {"compatibility": "FULL"} → the same back
//   DELETE /config              back to the default; answers the previous config
//   GET    /config/{subject}    the subject's own (defaultToGlobal=true: the effective one, settings.ts)
// A subject `:.ctx:` names context `.ctx`'s level, `:.__GLOBAL:` the level across all contexts.
//   PUT    /config/{subject}
//   DELETE /config/{subject}
// Stored settings besides the level (normalize, alias, compatibilityGroup, default/override metadata
// and ruleSet, validateFields, validateRules) are kept and returned; only normalize acts.
// Error codes: 40401, 40408, 42203, 422 (unknown field), 42205 (read-only). Gaps: see above.

import { isCompatibilityLevel } from '../compatibility.ts'
import {
  invalidCompatibilityLevel,
  subjectLevelCompatibilityNotConfigured,
  subjectNotFound,
} from '../errors.ts'
import { objectBody } from '../http-io.ts'
import { booleanParam } from '../query.ts'
import { defineRoutes, type RouteRequest } from '../route.ts'
import { effectiveConfigOf } from '../settings.ts'
import { isScope } from '../store/contexts.ts'
import { globalScope } from '../store/state.ts'

const settingFields = [
  'compatibility',
  'compatibilityLevel',
  'normalize',
  'alias',
  'compatibilityGroup',
  'defaultMetadata',
  'overrideMetadata',
  'defaultRuleSet',
  'overrideRuleSet',
  'validateFields',
  'validateRules',
]

function configView(stored: Record<string, unknown>): Record<string, unknown> {
  return { ...stored }
}

async function putConfig(
  { body, services }: RouteRequest,
  subject: string | null,
): Promise<Record<string, unknown>> {
  const fields = objectBody(body, settingFields)
  const level = fields.compatibility ?? fields.compatibilityLevel
  if (typeof level !== 'string' || !isCompatibilityLevel(level.toUpperCase()))
    throw invalidCompatibilityLevel(String(level))
  const { compatibility: _given, compatibilityLevel: _alsoGiven, ...rest } = fields
  const value = { compatibilityLevel: level.toUpperCase(), ...rest }
  await services.store.serialize(() => services.store.write([{ keytype: 'CONFIG', subject, value }]))
  return { compatibility: level.toUpperCase(), ...rest }
}

async function deleteConfig(
  { services }: RouteRequest,
  subject: string | null,
): Promise<Record<string, unknown>> {
  const { store } = services
  return store.serialize(async () => {
    const scope = subject ?? globalScope
    const previous = store.state.configs.get(scope)
    if (subject !== null && previous === undefined) {
      if (!store.state.subjects.has(subject) && !isScope(subject)) throw subjectNotFound(subject)
      throw subjectLevelCompatibilityNotConfigured(subject)
    }
    await store.write([{ keytype: 'CONFIG', subject, value: null }])
    return previous ?? effectiveConfigOf(store.state, null)
  })
}

export const configRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/config',
    summary: 'global compatibility level',
    handle: ({ services }) => {
      return { body: configView(effectiveConfigOf(services.store.state, null)) }
    },
  },
  {
    method: 'PUT',
    path: '/config',
    summary: 'set the global level',
    handle: async (request) => ({ body: await putConfig(request, null) }),
  },
  {
    method: 'DELETE',
    path: '/config',
    summary: 'reset the global level',
    handle: async (request) => ({ body: await deleteConfig(request, null) }),
  },
  {
    method: 'GET',
    path: '/config/{subject}',
    summary: "a subject's level",
    handle: ({ params, query, services }) => {
      const { state } = services.store
      const own = state.configs.get(params.subject)
      if (own !== undefined) return { body: configView(own) }
      if (!booleanParam(query, 'defaultToGlobal'))
        throw subjectLevelCompatibilityNotConfigured(params.subject)
      return { body: configView(effectiveConfigOf(state, params.subject)) }
    },
  },
  {
    method: 'PUT',
    path: '/config/{subject}',
    summary: "set a subject's level",
    handle: async (request) => ({ body: await putConfig(request, request.params.subject) }),
  },
  {
    method: 'DELETE',
    path: '/config/{subject}',
    summary: "remove a subject's level",
    handle: async (request) => ({ body: await deleteConfig(request, request.params.subject) }),
  },
])
