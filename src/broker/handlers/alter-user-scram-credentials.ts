// AlterUserScramCredentials (key 51), v0: adds, replaces and deletes users' SCRAM credentials. The
// client sends the salt, iteration count and SaltedPassword; the broker keeps only the StoredKey and
// ServerKey derived from them (src/security/credential-store.ts), durably before it answers.
// One result per user; a user's changes apply all or none. Errors, with Kafka's messages:
// UNACCEPTABLE_CREDENTIAL (empty name, iterations outside 4096-16384, salted password of the wrong
// size), UNSUPPORTED_SASL_MECHANISM, RESOURCE_NOT_FOUND (deleting what does not exist),
// DUPLICATE_RESOURCE (one user and mechanism twice in the request).
// ACLs: ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every user named (sorted, as
// Kafka's getErrorResponse) and nothing changed. Known gaps: none.

import type { AlterUserScramCredentialsResult } from '../../protocol/generated/alter-user-scram-credentials-response.ts'
import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import type { CredentialChange, CredentialStore } from '../../security/credential-store.ts'
import {
  credentialFromSaltedPassword,
  type ScramMechanism,
  scramIterationsMax,
  scramIterationsMin,
  scramMechanismOfNumber,
} from '../../security/scram.ts'
import { defineHandler } from '../handler.ts'

interface Operation {
  user: string
  mechanism: number
  /** Absent for a deletion. */
  upsertion?: { iterations: number; salt: Buffer; saltedPassword: Buffer }
}

const saltedPasswordBytes: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': 32, 'SCRAM-SHA-512': 64 }

export const alterUserScramCredentials = defineHandler({
  apiKey: ApiKey.AlterUserScramCredentials,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    const operations: Operation[] = [
      ...request.deletions.map((deletion) => ({ user: deletion.name, mechanism: deletion.mechanism })),
      ...request.upsertions.map(({ name, mechanism, iterations, salt, saltedPassword }) => ({
        user: name,
        mechanism,
        upsertion: { iterations, salt, saltedPassword },
      })),
    ]
    const users = [...new Set(operations.map((operation) => operation.user))]
    if (!allowsOnCluster(context, AclOperation.ALTER)) {
      const errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED
      const errorMessage = errorInfo.get(errorCode)?.message ?? null
      const refused = [...users].sort().map((user) => ({ user, errorCode, errorMessage }))
      return { throttleTimeMs: 0, results: refused }
    }
    const store = context.services.security?.credentials
    const results: AlterUserScramCredentialsResult[] = []
    const changes: CredentialChange[] = []
    for (const user of users) {
      const own = operations.filter((operation) => operation.user === user)
      const outcome = store === undefined ? noStore : changesOf(store, own)
      if ('errorCode' in outcome) results.push({ user, ...outcome })
      else {
        changes.push(...outcome.changes)
        results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null })
      }
    }
    if (store !== undefined && changes.length > 0) await store.apply(changes)
    return { throttleTimeMs: 0, results }
  },
})

type Outcome = { errorCode: number; errorMessage: string } | { changes: CredentialChange[] }

const noStore: Outcome = { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'no credential store' }

function changesOf(store: CredentialStore, operations: readonly Operation[]): Outcome {
  const mechanisms = operations.map((operation) => operation.mechanism)
  if (new Set(mechanisms).size !== mechanisms.length) {
    return fail(ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request')
  }
  const changes: CredentialChange[] = []
  for (const { user, mechanism: number, upsertion } of operations) {
    if (user === '') return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty')
    const mechanism = scramMechanismOfNumber(number)
    if (mechanism === undefined) return fail(ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism')
    if (upsertion === undefined) {
      if (store.scramCredential(user, mechanism) === undefined) {
        return fail(ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist')
      }
      changes.push({ user, mechanism, credential: null })
      continue
    }
    if (upsertion.iterations < scramIterationsMin)
      return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations')
    if (upsertion.iterations > scramIterationsMax)
      return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations')
    if (upsertion.saltedPassword.length !== saltedPasswordBytes[mechanism] || upsertion.salt.length === 0) {
      return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Invalid salt or salted password')
    }
    const credential = credentialFromSaltedPassword(
      mechanism,
      Buffer.from(upsertion.salt),
      upsertion.iterations,
      upsertion.saltedPassword,
    )
    changes.push({ user, mechanism, credential })
  }
  return { changes }
}

function fail(errorCode: number, errorMessage: string): Outcome {
  return { errorCode, errorMessage }
}
