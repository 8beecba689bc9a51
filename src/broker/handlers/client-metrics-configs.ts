// CLIENT_METRICS config resources (KIP-714 subscriptions) in DescribeConfigs and
// IncrementalAlterConfigs: the three configs Kafka defines (`metrics`, `interval.ms`, `match`, checked
// in src/telemetry/client-metrics-config.ts), stored by the ClientMetricsStore. DescribeConfigs lists
// each config with CLIENT_METRICS_CONFIG as its source when set, else its default (DEFAULT_CONFIG); an
// unknown subscription describes as all defaults, as in Kafka. An empty name is INVALID_REQUEST.
// Deleting every config of a subscription removes it.

import type { DescribeConfigsResourceResult } from '../../protocol/generated/describe-configs-response.ts'
import type { AlterableConfig } from '../../protocol/generated/incremental-alter-configs-request.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import {
  clientMetricsConfigNames,
  defaultPushIntervalMs,
  listConfigs,
  listItems,
} from '../../telemetry/client-metrics-config.ts'
import type { BrokerServices } from '../handler.ts'
import { ConfigSource, ConfigType, type DescribeOptions } from './config-describe.ts'
import { duplicateConfigName } from './config-resources.ts'
import { attempt, failure, type Outcome } from './outcome.ts'

/** DescribeConfigsResponse.ConfigSource.CLIENT_METRICS_CONFIG. */
const clientMetricsConfigSource = 7

const defaults: Record<string, string> = {
  metrics: '',
  'interval.ms': String(defaultPushIntervalMs),
  match: '',
}
const documentation: Record<string, string> = {
  metrics: 'Telemetry metric name prefixes the clients matched are asked to push; * for all.',
  'interval.ms': 'How often matched clients push their metrics, in milliseconds (100 to 3600000).',
  match:
    'Which clients the subscription applies to: selector=regex pairs on client_id, client_instance_id, client_software_name, client_software_version, client_source_address, client_source_port.',
}

function emptyName(): Outcome {
  return failure(ErrorCode.INVALID_REQUEST, 'Client metrics subscription name must not be empty')
}

export function describeClientMetricsResource(
  services: BrokerServices,
  name: string,
  keys: readonly string[] | null,
  options: DescribeOptions,
): Outcome & { configs: DescribeConfigsResourceResult[] } {
  if (name === '') return { ...emptyName(), configs: [] }
  const stored = services.clientMetrics?.configsOf(name) ?? {}
  const configs = clientMetricsConfigNames
    .filter((config) => keys === null || keys.length === 0 || keys.includes(config))
    .map((config) => {
      const set = stored[config] !== undefined
      return {
        name: config,
        value: set ? stored[config] : defaults[config],
        readOnly: false,
        isDefault: options.apiVersion === 0 && !set, // v0 only: the encoder refuses it later
        configSource: set ? clientMetricsConfigSource : ConfigSource.defaultConfig,
        isSensitive: false,
        synonyms: [],
        configType: listConfigs.has(config) ? ConfigType.list : ConfigType.int,
        documentation: options.includeDocumentation ? documentation[config] : null,
      }
    })
  return { errorCode: ErrorCode.NONE, errorMessage: null, configs }
}

/** IncrementalAlterConfigs on a CLIENT_METRICS resource: SET, DELETE, APPEND and SUBTRACT (lists). */
export async function alterClientMetricsResource(
  services: BrokerServices,
  name: string,
  changes: readonly AlterableConfig[],
  validateOnly: boolean,
): Promise<Outcome> {
  const store = services.clientMetrics
  if (store === undefined) return failure(ErrorCode.INVALID_REQUEST, 'Unsupported resource type: 16')
  if (name === '') return emptyName()
  const duplicate = duplicateConfigName(changes)
  if (duplicate !== null) return failure(ErrorCode.INVALID_REQUEST, `Duplicate config key '${duplicate}'.`)
  const configs: Record<string, string> = { ...store.configsOf(name) }
  for (const change of changes) {
    const problem = applyChange(configs, change)
    if (problem !== null) return problem
  }
  return attempt(() => store.set(name, configs, validateOnly))
}

function applyChange(configs: Record<string, string>, change: AlterableConfig): Outcome | null {
  const { name, value, configOperation } = change
  if (!(clientMetricsConfigNames as readonly string[]).includes(name)) {
    return failure(ErrorCode.INVALID_REQUEST, `Unknown client metrics configuration: ${name}`)
  }
  switch (configOperation) {
    case 0:
      if (value === null) return failure(ErrorCode.INVALID_CONFIG, `Null value not supported for : ${name}`)
      configs[name] = value
      return null
    case 1:
      delete configs[name]
      return null
    case 2:
    case 3: {
      const verb = configOperation === 2 ? 'append' : 'subtract'
      if (!listConfigs.has(name)) {
        return failure(
          ErrorCode.INVALID_CONFIG,
          `Config value ${verb} is not allowed for config key: ${name}`,
        )
      }
      const current = listItems(configs[name] ?? '')
      const items = listItems(value ?? '')
      configs[name] = (
        verb === 'append'
          ? [...current, ...items.filter((item) => !current.includes(item))]
          : current.filter((item) => !items.includes(item))
      ).join(',')
      return null
    }
    default:
      return failure(ErrorCode.INVALID_REQUEST, `Unknown alter config operation type ${configOperation}`)
  }
}
