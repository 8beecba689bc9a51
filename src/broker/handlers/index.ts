// THE handler registry, sorted by API key. The router's dispatch table, the ApiVersions response
// and the README's API table are all derived from this one list.

import type { AnyHandler } from '../handler.ts'
import { apiVersions } from './api-versions.ts'
import { fetch } from './fetch.ts'
import { metadata } from './metadata.ts'
import { produce } from './produce.ts'

export const handlers: readonly AnyHandler[] = [
  produce, // 0
  fetch, // 1
  metadata, // 3
  apiVersions, // 18
]
