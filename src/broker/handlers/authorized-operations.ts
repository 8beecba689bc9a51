// Authorized-operation bitfields (KIP-430) for responses that carry them, until ACLs exist
// (security issue): everything is allowed. Bits are AclOperation codes.

/** Kafka's "not requested" value. */
export const authorizedOperationsOmitted = -2147483648

function bits(operations: readonly number[]): number {
  return operations.reduce((all, operation) => all | (1 << operation), 0)
}

/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
export const topicOperationsAll = bits([3, 4, 5, 6, 7, 8, 10, 11])

/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE,
 * CREATE_TOKENS, DESCRIBE_TOKENS. */
export const clusterOperationsAll = bits([5, 7, 8, 9, 10, 11, 12, 13, 14])
