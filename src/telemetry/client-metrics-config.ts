// The configs of a CLIENT_METRICS resource (KIP-714 subscriptions), with Kafka's names, defaults and
// checks (ClientMetricsConfigs): `metrics` (list of metric name prefixes, `*` for all), `interval.ms`
// (push interval, 100 ms to 1 hour, default 5 minutes) and `match` (list of `selector=regex`, all
// clients when empty). An unknown name or an interval out of range is INVALID_REQUEST, a bad match
// pattern INVALID_CONFIG, as Kafka answers them.

import { KafkaError } from '../errors.ts'
import { ErrorCode } from '../protocol/generated/index.ts'

export const clientMetricsConfigNames = ['metrics', 'interval.ms', 'match'] as const
export type ClientMetricsConfigName = (typeof clientMetricsConfigNames)[number]

/** Kafka's ClientMetricsConfigs defaults and bounds. */
export const defaultPushIntervalMs = 300_000
export const pushIntervalMsMin = 100
export const pushIntervalMsMax = 3_600_000
/** `metrics` entry that subscribes to every metric. */
export const allMetrics = '*'

/** The client properties a `match` pattern may select on (ClientMetricsConfigs.ALLOWED_MATCH_PARAMS). */
export const matchSelectors = [
  'client_instance_id',
  'client_id',
  'client_software_name',
  'client_software_version',
  'client_source_address',
  'client_source_port',
] as const
export type MatchSelector = (typeof matchSelectors)[number]

export const listConfigs: ReadonlySet<string> = new Set(['metrics', 'match'])

/** A subscription as the broker uses it. */
export interface ClientMetricsSubscription {
  name: string
  metrics: string[]
  intervalMs: number
  match: Array<{ selector: MatchSelector; pattern: RegExp }>
}

export function listItems(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}

/** Checks a subscription's stored configs (Kafka's names, string values); throws KafkaError. */
export function parseSubscription(
  name: string,
  configs: Readonly<Record<string, string>>,
): ClientMetricsSubscription {
  if (name === '') throw new KafkaError(ErrorCode.INVALID_REQUEST, "Subscription name can't be empty")
  for (const key of Object.keys(configs)) {
    if (!(clientMetricsConfigNames as readonly string[]).includes(key)) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown client metrics configuration: ${key}`)
    }
  }
  return {
    name,
    metrics: listItems(configs.metrics ?? ''),
    intervalMs: parseInterval(configs['interval.ms']),
    match: listItems(configs.match ?? '').map(parseMatchPattern),
  }
}

function parseInterval(text: string | undefined): number {
  if (text === undefined) return defaultPushIntervalMs
  const value = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN
  if (!Number.isInteger(value) || value < pushIntervalMsMin || value > pushIntervalMsMax) {
    throw new KafkaError(
      ErrorCode.INVALID_REQUEST,
      `Invalid value ${text} for interval.ms, interval must be between 100 and 3600000 (1 hour)`,
    )
  }
  return value
}

function parseMatchPattern(pattern: string): { selector: MatchSelector; pattern: RegExp } {
  const equals = pattern.indexOf('=')
  if (equals <= 0 || equals === pattern.length - 1) {
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `Illegal client matching pattern: ${pattern}`)
  }
  const selector = pattern.slice(0, equals).trim()
  if (!(matchSelectors as readonly string[]).includes(selector)) {
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `Invalid client matching pattern: ${pattern}`)
  }
  try {
    // Kafka matches the whole value (Matcher.matches), hence the anchors.
    return {
      selector: selector as MatchSelector,
      pattern: new RegExp(`^(?:${pattern.slice(equals + 1).trim()})$`),
    }
  } catch {
    throw new KafkaError(ErrorCode.INVALID_CONFIG, `Illegal regex pattern: ${pattern.slice(equals + 1)}`)
  }
}

/** What a client is matched on. */
export type ClientProperties = Record<MatchSelector, string>

export function subscriptionMatches(
  subscription: ClientMetricsSubscription,
  client: ClientProperties,
): boolean {
  return subscription.match.every(({ selector, pattern }) => pattern.test(client[selector]))
}
