// The client quota keys Kafka defines for user and client-id entities (QuotaConfigs), their types,
// and the value checks of Kafka's ClientQuotaControlManager: an unknown key or a fractional value
// for a LONG key is INVALID_REQUEST. Streamline also refuses values that are not finite or are
// negative (Kafka accepts them, and then throttles every request, or none, in ways nobody wants).

export const quotaKeyNames = [
  'producer_byte_rate',
  'consumer_byte_rate',
  'request_percentage',
  'controller_mutation_rate',
] as const

export type QuotaKey = (typeof quotaKeyNames)[number]

/** Bytes per second are LONG; the percentage and the mutation rate are DOUBLE. */
const quotaKeyTypes: Record<QuotaKey, 'long' | 'double'> = {
  producer_byte_rate: 'long',
  consumer_byte_rate: 'long',
  request_percentage: 'double',
  controller_mutation_rate: 'double',
}

export function isQuotaKey(key: string): key is QuotaKey {
  return (quotaKeyNames as readonly string[]).includes(key)
}

/** Why a value cannot be set for this key, or null when it can (Kafka's messages). */
export function quotaValueProblem(key: string, value: number): string | null {
  if (!isQuotaKey(key)) return `Invalid configuration key ${key}`
  if (!Number.isFinite(value) || value < 0) return `Configuration ${key} must be a non-negative number`
  const epsilon = 1e-6
  if (quotaKeyTypes[key] === 'long' && Math.abs(Math.trunc(value + epsilon) - value) > epsilon) {
    return `Configuration ${key} must be a Long value`
  }
  return null
}

/** A set of quota values of one entity. */
export type QuotaValues = Partial<Record<QuotaKey, number>>
