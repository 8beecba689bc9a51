// What the broker holds for client quotas: the persisted store (DescribeClientQuotas and
// AlterClientQuotas read and change it) and the enforcement that reads it on every request.

import type { StateDocuments } from '../storage/state-file.ts'
import { ClientQuotas, type QuotaWindow, type ThrottleListener } from './client-quotas.ts'
import { ClientQuotaStore } from './quota-store.ts'

export interface QuotaServices {
  store: ClientQuotaStore
  enforcement: ClientQuotas
}

export async function openQuotaServices(options: {
  dataDir?: string
  documents?: StateDocuments
  window?: QuotaWindow
  onThrottle?: ThrottleListener
}): Promise<QuotaServices> {
  const store = new ClientQuotaStore(options)
  await store.load()
  const enforcement = new ClientQuotas({ store, window: options.window, onThrottle: options.onThrottle })
  return { store, enforcement }
}
