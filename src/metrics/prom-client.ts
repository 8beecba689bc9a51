// prom-client, loaded on first use. Its modules and the default process metrics take ~20 ms of CPU,
// more than a fifth of a cold start's budget on Node 20 (bench/RESULTS.md, Startup), and nothing needs
// them before the first request or scrape. require() (prom-client is CommonJS) keeps the loading
// synchronous, so a metric hook on the request path never has to wait for it.

import { createRequire } from 'node:module'

type PromClient = typeof import('prom-client')

let loaded: PromClient | null = null

export function promClient(): PromClient {
  loaded ??= createRequire(import.meta.url)('prom-client') as PromClient
  return loaded
}
