// THE route table of the registry: every route, once. The router (router.ts) and the docs table
// (docs/schema-registry.md, checked by route-table.test.ts) derive from it.

import type { RegistryRoute } from './route.ts'
import { compatibilityRoutes } from './routes/compatibility.ts'
import { configRoutes } from './routes/config.ts'
import { contextRoutes } from './routes/contexts.ts'
import { modeRoutes } from './routes/mode.ts'
import { rootRoutes } from './routes/root.ts'
import { schemaRoutes } from './routes/schemas.ts'
import { subjectRoutes } from './routes/subjects.ts'

export const registryRoutes: readonly RegistryRoute[] = [
  ...rootRoutes,
  ...contextRoutes,
  ...schemaRoutes,
  ...subjectRoutes,
  ...compatibilityRoutes,
  ...configRoutes,
  ...modeRoutes,
]
