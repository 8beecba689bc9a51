// The registry's root and metadata routes.
//   GET /                 {} (Confluent answers an empty object: a liveness probe for clients)
//   GET /schemas/types    the schema types served: ["JSON","PROTOBUF","AVRO"]
//   GET /contexts         "." plus every context a qualified subject (":.ctx:subject") names
//   GET /v1/metadata/id   the cluster ids (Confluent's ServerClusterId)
// Error codes: none. Gaps: none.

import { defineRoutes } from '../route.ts'
import { contextOf } from '../store/contexts.ts'

export const rootRoutes = defineRoutes([
  { method: 'GET', path: '/', summary: 'liveness: {}', handle: () => ({ body: {} }) },
  {
    method: 'GET',
    path: '/schemas/types',
    summary: 'schema types served',
    handle: () => ({ body: ['JSON', 'PROTOBUF', 'AVRO'] }),
  },
  {
    method: 'GET',
    path: '/contexts',
    summary: 'contexts in use ("." is the default)',
    handle: ({ services }) => {
      const contexts = new Set(['.'])
      for (const subject of services.store.state.subjects.keys()) contexts.add(contextOf(subject))
      return { body: [...contexts].sort() }
    },
  },
  {
    method: 'GET',
    path: '/v1/metadata/id',
    summary: 'cluster ids',
    handle: ({ services }) => ({
      body: {
        scope: {
          path: [],
          clusters: { 'kafka-cluster': services.clusterId, 'schema-registry-cluster': 'schema-registry' },
        },
      },
    }),
  },
])
