// The registry's root and metadata routes.
//   GET /                 {} (Confluent answers an empty object: a liveness probe for clients)
//   GET /schemas/types    the schema types served: ["JSON","PROTOBUF","AVRO"]
//   GET /v1/metadata/id   the cluster ids (Confluent's ServerClusterId)
// Error codes: none. Gaps: none.

import { defineRoutes } from '../route.ts'

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
