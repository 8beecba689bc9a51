// What routes reach: the store (state and writes), the cluster id for /v1/metadata/id.

import type { RegistryStore } from './store/registry-store.ts'

export interface RegistryServices {
  store: RegistryStore
  clusterId: string
}
