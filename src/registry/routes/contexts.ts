// Contexts (Confluent's ContextsResource).
//   GET    /contexts             "." plus every context: those with a CONTEXT record (written with a
//                                context's first schema) and those a subject names
//   DELETE /contexts/{context}   deletes an empty context (`ctx`, `.ctx` or `:.ctx:`): 204, no body
// Error codes: 42211 (the context still has subjects, soft-deleted ones included: delete them
// permanently first), 42205 (the default context), 404 (no such context), 400 (a colon in the name).
// Gaps: the answer for an unknown context is 404 {"error_code":404} (Confluent's code for it was not
// found in its sources); configs and modes of a deleted context stay (as its records do in Confluent).

import { operationNotPermitted, RegistryError } from '../errors.ts'
import { defineRoutes } from '../route.ts'
import { contextPrefixOf, defaultContext } from '../store/contexts.ts'

const contextNotEmpty = (context: string): RegistryError =>
  new RegistryError(422, 42211, `The specified context '${context}' is not empty.`)

const contextNotFound = (context: string): RegistryError =>
  new RegistryError(404, 404, `Context '${context}' not found.`)

/** `.ctx` for any spelling of a context name (`ctx`, `.ctx`, `:.ctx:`); `.` for the default one. */
function contextName(given: string): string {
  const prefix = contextPrefixOf(given)
  return prefix === '' ? defaultContext : prefix.slice(1, -1)
}

export const contextRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/contexts',
    summary: 'contexts ("." is the default)',
    handle: ({ services }) => ({ body: services.store.state.contextNames() }),
  },
  {
    method: 'DELETE',
    path: '/contexts/{context}',
    summary: 'delete an empty context',
    handle: async ({ params, services }) => {
      const context = contextName(params.context)
      if (context === defaultContext) throw operationNotPermitted('The default context cannot be deleted')
      const { store } = services
      await store.serialize(async () => {
        if (store.state.contextHasSubjects(context)) throw contextNotEmpty(context)
        if (!store.state.contexts.has(context)) throw contextNotFound(context)
        await store.write([{ keytype: 'CONTEXT', context, value: null }])
      })
      return { status: 204, body: '', raw: true }
    },
  },
])
