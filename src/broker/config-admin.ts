// Broker configs for the admin HTTP API: the same DescribeConfigs and IncrementalAlterConfigs handlers a
// Kafka client reaches (so values, sources, sensitive/read-only flags, validation and Kafka's error
// messages are exactly theirs), called in-process with the console's principal. Without a principal
// (the API is open on loopback) the ACL check is skipped, as the HTTP guard does for every route.

import { ErrorCode, errorName } from '../protocol/generated/error-codes.ts'
import { ConfigSource } from './broker-config/synonyms.ts'
import { type BrokerServices, noResponse, type RequestContext } from './handler.ts'
import { describeConfigs } from './handlers/describe-configs.ts'
import { incrementalAlterConfigs } from './handlers/incremental-alter-configs.ts'

const brokerResourceType = 4

/** Kafka's ConfigEntry.ConfigSource names by DescribeConfigs' numbers. */
const sourceNames: Record<number, string> = {
  [ConfigSource.unknown]: 'UNKNOWN',
  [ConfigSource.topicConfig]: 'DYNAMIC_TOPIC_CONFIG',
  [ConfigSource.dynamicBrokerConfig]: 'DYNAMIC_BROKER_CONFIG',
  [ConfigSource.dynamicDefaultBrokerConfig]: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  [ConfigSource.staticBrokerConfig]: 'STATIC_BROKER_CONFIG',
  [ConfigSource.defaultConfig]: 'DEFAULT_CONFIG',
}

/** DescribeConfigs' configType numbers (v3+) as Kafka's ConfigEntry.ConfigType names. */
const typeNames = [
  'UNKNOWN',
  'BOOLEAN',
  'STRING',
  'INT',
  'SHORT',
  'LONG',
  'DOUBLE',
  'LIST',
  'CLASS',
  'PASSWORD',
]

/** The AlterConfigOp.OpType names the API takes, by IncrementalAlterConfigs' numbers. */
export const configOperations = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const
export type ConfigOperationName = keyof typeof configOperations

export interface BrokerConfigSynonym {
  name: string
  value: string | null
  source: string
}

export interface BrokerConfigEntry {
  name: string
  /** null when sensitive or set nowhere. */
  value: string | null
  source: string
  isDefault: boolean
  isSensitive: boolean
  readOnly: boolean
  type: string
  documentation: string | null
  synonyms: BrokerConfigSynonym[]
}

export interface BrokerConfigChange {
  name: string
  operation: ConfigOperationName
  value: string | null
}

/** A Kafka error of a describe or alter: its name (INVALID_CONFIG) and Kafka's message. */
export interface BrokerConfigError {
  errorName: string
  errorMessage: string
}

export interface BrokerConfigAdmin {
  /** This broker's configs (scope 'broker') or the cluster-wide dynamic defaults set ('cluster'). */
  describe(
    principal: string | undefined,
    scope: 'broker' | 'cluster',
  ): Promise<{ brokerId: number; configs: BrokerConfigEntry[] } | BrokerConfigError>
  /** IncrementalAlterConfigs on this broker or the cluster default; null when it succeeded. */
  alter(
    principal: string | undefined,
    scope: 'broker' | 'cluster',
    changes: readonly BrokerConfigChange[],
    validateOnly: boolean,
  ): Promise<BrokerConfigError | null>
}

export function createBrokerConfigAdmin(services: BrokerServices): BrokerConfigAdmin {
  const contextOf = (principal: string | undefined, apiVersion: number): RequestContext => {
    const { authorizer: _ignored, ...withoutAcls } = services
    return {
      services: principal === undefined ? withoutAcls : services,
      apiVersion,
      correlationId: 0,
      clientId: 'streamline-console',
      clientAddress: '127.0.0.1:0',
      principal: principal ?? 'User:ANONYMOUS',
    }
  }
  const resourceName = (scope: 'broker' | 'cluster') =>
    scope === 'cluster' ? '' : String(services.identity.nodeId)
  const errorOf = (errorCode: number, message: string | null): BrokerConfigError | null =>
    errorCode === ErrorCode.NONE ? null : { errorName: errorName(errorCode), errorMessage: message ?? '' }
  return {
    async describe(principal, scope) {
      const response = await describeConfigs.handle(contextOf(principal, 4), {
        resources: [
          { resourceType: brokerResourceType, resourceName: resourceName(scope), configurationKeys: null },
        ],
        includeSynonyms: true,
        includeDocumentation: true,
      })
      if (response === noResponse) throw new Error('DescribeConfigs gave no response')
      const [result] = response.results
      const failed = errorOf(result.errorCode, result.errorMessage)
      if (failed !== null) return failed
      return {
        brokerId: services.identity.nodeId,
        configs: result.configs.map((config) => ({
          name: config.name,
          value: config.value,
          source: sourceNames[config.configSource] ?? 'UNKNOWN',
          isDefault: config.configSource === ConfigSource.defaultConfig,
          isSensitive: config.isSensitive,
          readOnly: config.readOnly,
          type: typeNames[config.configType] ?? 'UNKNOWN',
          documentation: config.documentation,
          synonyms: config.synonyms.map((synonym) => ({
            name: synonym.name,
            value: synonym.value,
            source: sourceNames[synonym.source] ?? 'UNKNOWN',
          })),
        })),
      }
    },
    async alter(principal, scope, changes, validateOnly) {
      const response = await incrementalAlterConfigs.handle(contextOf(principal, 1), {
        resources: [
          {
            resourceType: brokerResourceType,
            resourceName: resourceName(scope),
            configs: changes.map((change) => ({
              name: change.name,
              configOperation: configOperations[change.operation],
              value: change.value,
            })),
          },
        ],
        validateOnly,
      })
      if (response === noResponse) throw new Error('IncrementalAlterConfigs gave no response')
      const [result] = response.responses
      return errorOf(result.errorCode, result.errorMessage)
    },
  }
}
