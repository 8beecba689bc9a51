// What a route is: a method, a path pattern with {named} segments, and a handler that takes the
// decoded request and returns the status and JSON body (or throws RegistryError). route-table.ts lists
// every route once; the router, the docs table and the tests derive from that list.

import type { RegistryServices } from './services.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface RouteRequest {
  params: Record<string, string>
  query: URLSearchParams
  /** The parsed JSON body (POST/PUT), or undefined when there is none. */
  body: unknown
  services: RegistryServices
}

export interface RouteAnswer {
  status?: number
  body: unknown
  /** Send `body` (a string) as it is instead of as JSON: the raw schema routes. */
  raw?: boolean
}

export interface RegistryRoute {
  method: HttpMethod
  path: string
  /** One line for the docs table. */
  summary: string
  handle(request: RouteRequest): Promise<RouteAnswer> | RouteAnswer
}

export function defineRoutes(routes: RegistryRoute[]): RegistryRoute[] {
  return routes
}
