// The in-process client's only door into the broker: it calls the same handlers the Kafka listener
// dispatches to, with a decoded request object instead of a frame. No socket and no request or
// response encoding, but every rule a network client meets (validation, ACLs, idempotence, transaction
// state, group membership, long polls) applies, because it is the same code.

import type { BrokerServices, RequestContext } from '../../broker/handler.ts'
import { noResponse } from '../../broker/handler.ts'
import { handlers } from '../../broker/handlers/index.ts'
import { KafkaError, StorageError } from '../../errors.ts'
import { errorName } from '../../protocol/generated/error-codes.ts'
import type { ApiKey, ApiMessages } from '../../protocol/generated/index.ts'
import { anonymousPrincipal } from '../../security/principal.ts'

/** The version each API is called at: the newest that still names topics (not topic ids). */
// AddPartitionsToTxn v4+ is the broker-to-broker batch form (KIP-890): a producer uses v3; OffsetFetch
// v7 is the last one-group form.
const callVersion: Partial<Record<ApiKey, number>> = { 1: 12, 3: 12, 9: 7, 24: 3 }

type AnyHandle = (context: RequestContext, request: unknown) => Promise<unknown>

export interface BrokerCallsOptions {
  /** The client id handlers see (logs, quotas, DescribeGroups); default `streamline-embedded`. */
  clientId?: string
  /** The principal ACLs are checked for; default User:ANONYMOUS. */
  principal?: string
}

export class BrokerCalls {
  readonly services: BrokerServices
  readonly clientId: string
  readonly #principal: string
  readonly #byKey = new Map<number, { handle: AnyHandle; max: number }>()
  #correlationId = 0

  constructor(services: BrokerServices, options: BrokerCallsOptions = {}) {
    this.services = services
    this.clientId = options.clientId ?? 'streamline-embedded'
    this.#principal = options.principal ?? anonymousPrincipal
    for (const handler of handlers) {
      this.#byKey.set(handler.apiKey, { handle: handler.handle as AnyHandle, max: handler.versions.max })
    }
  }

  /** Calls API `apiKey`'s handler and returns its response. */
  async call<K extends ApiKey>(
    apiKey: K,
    request: ApiMessages[K]['request'],
  ): Promise<ApiMessages[K]['response']> {
    const response = await this.callOrNull(apiKey, request)
    if (response === null) throw new StorageError(`API ${apiKey} gave no response`)
    return response
  }

  /** As `call`, but null where the handler sends no response (Produce with acks=0). */
  async callOrNull<K extends ApiKey>(
    apiKey: K,
    request: ApiMessages[K]['request'],
  ): Promise<ApiMessages[K]['response'] | null> {
    const entry = this.#byKey.get(apiKey)
    if (entry === undefined) throw new KafkaError(35, `API ${apiKey} is not served by this broker`)
    this.#correlationId = (this.#correlationId + 1) | 0
    const context: RequestContext = {
      services: this.services,
      apiVersion: callVersion[apiKey] ?? entry.max,
      correlationId: this.#correlationId,
      clientId: this.clientId,
      clientAddress: 'in-process',
      principal: this.#principal,
      takesRecordBatches: true,
    }
    const response = await entry.handle(context, request)
    if (response === noResponse) return null
    return response as ApiMessages[K]['response']
  }
}

/** Throws a KafkaError for a non-zero error code (the in-process client's one way to report one). */
export function throwIfError(errorCode: number, detail: string | null | undefined, what: string): void {
  if (errorCode !== 0) throw new KafkaError(errorCode, `${what}: ${detail ?? errorName(errorCode)}`)
}
