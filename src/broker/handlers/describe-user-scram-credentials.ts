// DescribeUserScramCredentials (key 50), v0: the SCRAM mechanisms and iteration counts of users
// (never salts or keys). users null or empty: every user with a credential.
// Per user, with Kafka's messages: RESOURCE_NOT_FOUND for a user without credentials,
// DUPLICATE_RESOURCE for a user named twice.
// ACLs: DESCRIBE on the cluster, else a top-level CLUSTER_AUTHORIZATION_FAILED and no results, as
// Kafka's getErrorResponse. Known gaps: none.

import type { DescribeUserScramCredentialsResult } from '../../protocol/generated/describe-user-scram-credentials-response.ts'
import { ApiKey, ErrorCode, errorInfo } from '../../protocol/generated/index.ts'
import { AclOperation } from '../../security/acl/model.ts'
import { allowsOnCluster } from '../../security/acl/request.ts'
import { scramMechanismNumbers } from '../../security/scram.ts'
import { defineHandler } from '../handler.ts'

export const describeUserScramCredentials = defineHandler({
  apiKey: ApiKey.DescribeUserScramCredentials,
  versions: { min: 0, max: 0 },
  async handle(context, request) {
    if (!allowsOnCluster(context, AclOperation.DESCRIBE)) {
      const errorCode = ErrorCode.CLUSTER_AUTHORIZATION_FAILED
      const errorMessage = errorInfo.get(errorCode)?.message ?? null
      return { throttleTimeMs: 0, errorCode, errorMessage, results: [] }
    }
    const credentials = context.services.security?.credentials
    const requested = request.users?.map((user) => user.name) ?? []
    const names = requested.length === 0 ? (credentials?.users() ?? []) : requested
    const results: DescribeUserScramCredentialsResult[] = []
    const seen = new Set<string>()
    for (const user of names) {
      if (seen.has(user)) continue
      seen.add(user)
      if (requested.indexOf(user) !== requested.lastIndexOf(user)) {
        results.push(
          userError(
            user,
            ErrorCode.DUPLICATE_RESOURCE,
            `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
          ),
        )
        continue
      }
      const infos = credentials?.credentialsOf(user) ?? []
      if (infos.length === 0) {
        results.push(
          userError(
            user,
            ErrorCode.RESOURCE_NOT_FOUND,
            `Attempt to describe a user credential that does not exist: ${user}`,
          ),
        )
        continue
      }
      results.push({
        user,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        credentialInfos: infos.map((credential) => ({
          mechanism: scramMechanismNumbers[credential.mechanism],
          iterations: credential.iterations,
        })),
      })
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results }
  },
})

function userError(
  user: string,
  errorCode: number,
  errorMessage: string,
): DescribeUserScramCredentialsResult {
  return { user, errorCode, errorMessage, credentialInfos: [] }
}
