// Kafka's checks of a dynamic broker config change (DynamicBrokerConfig.validateConfigs, in its order,
// then the reconfigurables' own checks), on the whole set of configs a level would have after the
// change. Each failure is KafkaError INVALID_REQUEST with Kafka's message (ConfigAdminManager turns
// the ConfigException into InvalidRequestException, KAFKA-13609).

import { ConfigError, KafkaError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import { parsePerIpOverrides } from '../connection-limits.ts'
import {
  type BrokerConfigType,
  clusterLevelListenerConfigs,
  type DynamicConfigDefinition,
  dynamicConfigDefinitions,
  dynamicDefinitionOf,
  listenerConfigBase,
} from './dynamic-definitions.ts'

/** Scala's Set.toString, as Kafka's messages print the names. */
function scalaSet(names: readonly string[]): string {
  return `Set(${names.join(', ')})`
}

function refuse(message: string): never {
  throw new KafkaError(ErrorCode.INVALID_REQUEST, message)
}

function invalidValue(name: string, value: string, reason: string): never {
  refuse(`Invalid value ${value} for configuration ${name}: ${reason}`)
}

const integerRanges: Partial<Record<BrokerConfigType, { min: bigint; max: bigint }>> = {
  short: { min: -32768n, max: 32767n },
  int: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  long: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
}

/** Kafka's ConfigDef.parseType and the definition's validator for one value. */
function checkValue(name: string, value: string, definition: DynamicConfigDefinition): void {
  const trimmed = value.trim()
  const integerRange = integerRanges[definition.type]
  let number: number | null = null
  if (integerRange !== undefined) {
    const fits =
      /^[-+]?\d+$/.test(trimmed) && BigInt(trimmed) >= integerRange.min && BigInt(trimmed) <= integerRange.max
    if (!fits) invalidValue(name, value, `Not a number of type ${definition.type.toUpperCase()}`)
    number = Number(trimmed)
  } else if (definition.type === 'double') {
    number = Number(trimmed)
    if (trimmed === '' || Number.isNaN(number)) invalidValue(name, value, 'Not a number of type DOUBLE')
  } else if (definition.type === 'boolean') {
    if (!/^(true|false)$/i.test(trimmed))
      invalidValue(name, value, 'Expected value to be either true or false')
  }
  const valid = definition.valid
  if (valid === undefined) return
  if ('min' in valid && number !== null) {
    if (number < valid.min) invalidValue(name, value, `Value must be at least ${valid.min}`)
    if (number > valid.max) invalidValue(name, value, `Value must be no more than ${valid.max}`)
  }
  if ('oneOf' in valid) {
    const items = definition.type === 'list' ? trimmed.split(',').map((item) => item.trim()) : [trimmed]
    if (items.some((item) => !valid.oneOf.includes(item)))
      invalidValue(name, value, `String must be one of: ${valid.oneOf.join(', ')}`)
  }
}

/** DynamicThreadPool.validateReconfiguration: from half to double the current size. */
function checkThreadPool(name: string, value: string, current: number): void {
  const size = Number(value.trim())
  if (size === current) return
  const prefix = `Dynamic thread count update validation failed for ${name}=${size}`
  if (size <= 0) refuse(`${prefix}, value should be at least 1`)
  if (size < current / 2) refuse(`${prefix}, value should be at least half the current value ${current}`)
  if (size > current * 2)
    refuse(`${prefix}, value should not be greater than double the current value ${current}`)
}

export interface ValidateOptions {
  /** True for a broker id resource, false for the cluster default (""). */
  perBroker: boolean
  /** The value a config has now (for the thread pool bounds). */
  currentValue: (name: string) => string | null
}

/** Checks the configs a level would have; throws KafkaError INVALID_REQUEST. */
export function validateDynamicConfigs(
  configs: Readonly<Record<string, string>>,
  options: ValidateOptions,
): void {
  const names = Object.keys(configs)
  const nonDynamic = names.filter((name) => dynamicDefinitionOf(name) === undefined)
  if (nonDynamic.length > 0) refuse(`Cannot update these configs dynamically: ${scalaSet(nonDynamic)}`)
  const prefixOnly = names.filter((name) => dynamicConfigDefinitions.get(name)?.listenerPrefixOnly === true)
  if (prefixOnly.length > 0) {
    refuse(
      `These security configs can be dynamically updated only per-listener using the listener prefix: ${scalaSet(prefixOnly)}`,
    )
  }
  for (const name of names) {
    const definition = dynamicDefinitionOf(name)
    if (definition !== undefined) checkValue(name, configs[name], definition)
  }
  if (!options.perBroker) {
    const perBrokerOnly = names.filter((name) => {
      const base = listenerConfigBase(name)
      if (base !== null) return !clusterLevelListenerConfigs.has(base)
      return dynamicConfigDefinitions.get(name)?.mode === 'per-broker'
    })
    if (perBrokerOnly.length > 0) {
      refuse(
        `Cannot update these configs at default cluster level, broker id must be specified: ${scalaSet(perBrokerOnly)}`,
      )
    }
  }
  for (const name of names) {
    const definition = dynamicConfigDefinitions.get(name)
    if (definition?.threadPool === true) {
      checkThreadPool(name, configs[name], Number(options.currentValue(name) ?? definition.kafkaDefault))
    }
  }
  const overrides = configs['max.connections.per.ip.overrides']
  if (overrides !== undefined) {
    try {
      parsePerIpOverrides(overrides)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      refuse(
        `Invalid value ${overrides} for configuration max.connections.per.ip.overrides: ${error.message}`,
      )
    }
  }
}
