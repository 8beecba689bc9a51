// Modes, global and per subject (Confluent's ModeResource): READWRITE, READONLY, READONLY_OVERRIDE
// (writes refused), IMPORT (ids and versions chosen by the caller, no compatibility check).
//   GET    /mode              {"mode": …}
//   PUT    /mode              {"mode": "IMPORT"}; IMPORT with schemas present needs force=true
//   DELETE /mode              back to READWRITE; answers the previous mode
//   GET    /mode/{subject}    the subject's own (defaultToGlobal=true: the effective one, settings.ts)
// A subject `:.ctx:` names context `.ctx`'s mode, `:.__GLOBAL:` the mode across all contexts.
//   PUT    /mode/{subject}    (force=true as above)
//   DELETE /mode/{subject}
// Error codes: 40401, 40409, 42204, 42205, 422 (unknown field). Gaps: none known.

import {
  invalidMode,
  operationNotPermitted,
  subjectLevelModeNotConfigured,
  subjectNotFound,
} from '../errors.ts'
import { objectBody } from '../http-io.ts'
import { booleanParam } from '../query.ts'
import { defineRoutes, type RouteRequest } from '../route.ts'
import { isMode, modeOf } from '../settings.ts'
import { isScope } from '../store/contexts.ts'
import { globalScope } from '../store/state.ts'

async function putMode(
  { body, query, services }: RouteRequest,
  subject: string | null,
): Promise<{ mode: string }> {
  const { mode } = objectBody(body, ['mode'])
  const upper = typeof mode === 'string' ? mode.toUpperCase() : String(mode)
  if (!isMode(upper)) throw invalidMode(upper)
  const { store } = services
  return store.serialize(async () => {
    if (upper === 'IMPORT' && !booleanParam(query, 'force')) {
      const hasSchemas =
        subject === null
          ? store.state.subjects.size > 0
          : store.state.versionsOf(subject, { deleted: true }).length > 0
      if (hasSchemas) throw operationNotPermitted('Cannot import since found existing subjects')
    }
    await store.write([{ keytype: 'MODE', subject, value: { mode: upper } }])
    return { mode: upper }
  })
}

async function deleteMode({ services }: RouteRequest, subject: string | null): Promise<{ mode: string }> {
  const { store } = services
  return store.serialize(async () => {
    const previous = store.state.modes.get(subject ?? globalScope)
    if (subject !== null && previous === undefined) {
      if (!store.state.subjects.has(subject) && !isScope(subject)) throw subjectNotFound(subject)
      throw subjectLevelModeNotConfigured(subject)
    }
    await store.write([{ keytype: 'MODE', subject, value: null }])
    return { mode: previous ?? 'READWRITE' }
  })
}

export const modeRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/mode',
    summary: 'global mode',
    handle: ({ services }) => ({ body: { mode: modeOf(services.store.state, null) } }),
  },
  {
    method: 'PUT',
    path: '/mode',
    summary: 'set the global mode',
    handle: async (request) => ({ body: await putMode(request, null) }),
  },
  {
    method: 'DELETE',
    path: '/mode',
    summary: 'reset the global mode',
    handle: async (request) => ({ body: await deleteMode(request, null) }),
  },
  {
    method: 'GET',
    path: '/mode/{subject}',
    summary: "a subject's mode",
    handle: ({ params, query, services }) => {
      const { state } = services.store
      const own = state.modes.get(params.subject)
      if (own !== undefined) return { body: { mode: own } }
      if (!booleanParam(query, 'defaultToGlobal')) throw subjectLevelModeNotConfigured(params.subject)
      return { body: { mode: modeOf(state, params.subject) } }
    },
  },
  {
    method: 'PUT',
    path: '/mode/{subject}',
    summary: "set a subject's mode",
    handle: async (request) => ({ body: await putMode(request, request.params.subject) }),
  },
  {
    method: 'DELETE',
    path: '/mode/{subject}',
    summary: "remove a subject's mode",
    handle: async (request) => ({ body: await deleteMode(request, request.params.subject) }),
  },
])
