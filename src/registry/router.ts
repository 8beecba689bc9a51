// Matches a request to a route of the table: the path is split on '/', each segment decoded (a
// subject may hold an encoded '/'), {name} segments captured. Unknown path: 404; known path with
// another method: 405 (both with Confluent's bodies).

import { badRequest } from './errors.ts'
import type { HttpMethod, RegistryRoute } from './route.ts'

interface CompiledRoute {
  route: RegistryRoute
  segments: string[]
}

export interface RouteMatch {
  route: RegistryRoute
  params: Record<string, string>
}

export class Router {
  private readonly routes: CompiledRoute[]

  constructor(routes: readonly RegistryRoute[]) {
    this.routes = routes.map((route) => ({
      route,
      segments: route.path.split('/').filter((part) => part !== ''),
    }))
  }

  /** The route and its params; throws RegistryError 404/405 when none fits. */
  match(method: string, pathname: string): RouteMatch {
    let segments: string[]
    try {
      segments = pathname
        .split('/')
        .filter((part) => part !== '')
        .map((part) => decodeURIComponent(part))
    } catch {
      throw badRequest(404, 'HTTP 404 Not Found')
    }
    let pathMatched = false
    for (const compiled of this.routes) {
      const params = matchSegments(compiled.segments, segments)
      if (params === null) continue
      pathMatched = true
      if (compiled.route.method === (method as HttpMethod)) return { route: compiled.route, params }
    }
    if (pathMatched) throw badRequest(405, 'HTTP 405 Method Not Allowed')
    throw badRequest(404, 'HTTP 404 Not Found')
  }
}

function matchSegments(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | null {
  if (pattern.length !== segments.length) return null
  const params: Record<string, string> = {}
  for (let index = 0; index < pattern.length; index++) {
    const part = pattern[index]
    if (part.startsWith('{')) params[part.slice(1, -1)] = segments[index]
    else if (part !== segments[index]) return null
  }
  return params
}
