// AlterConfigs and IncrementalAlterConfigs on a BROKER resource, as Kafka's ConfigAdminManager does
// them: the resource name is "" (the cluster-wide default) or this broker's id; duplicate names and
// null values are INVALID_REQUEST; legacy AlterConfigs replaces every dynamic config of that level,
// IncrementalAlterConfigs changes single ones (APPEND/SUBTRACT only on list configs: INVALID_CONFIG);
// the resulting set is checked as Kafka checks it (dynamic-validate.ts), then stored and applied
// (dynamic-store.ts) unless validateOnly.

import { KafkaError } from '../../errors.ts'
import { ErrorCode } from '../../protocol/generated/index.ts'
import type { BrokerServices } from '../handler.ts'
import { attempt, failure, type Outcome, success } from '../handlers/outcome.ts'
import { dynamicDefinitionOf } from './dynamic-definitions.ts'
import type { DynamicConfigLevel } from './dynamic-store.ts'
import { validateDynamicConfigs } from './dynamic-validate.ts'

/** IncrementalAlterConfigsRequest's configOperation values (AlterConfigOp.OpType). */
export const ConfigOperation = { set: 0, delete: 1, append: 2, subtract: 3 } as const

export interface BrokerConfigOperation {
  name: string
  value: string | null
  /** Absent for legacy AlterConfigs (every config given is set, the others removed). */
  configOperation?: number
}

function refuse(errorCode: number, message: string): never {
  throw new KafkaError(errorCode, message)
}

function listItems(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}

/** Kafka's prepareIncrementalConfigs: one operation applied to the level's configs. */
function applyOperation(configs: Record<string, string>, operation: BrokerConfigOperation): void {
  const { name, value } = operation
  switch (operation.configOperation) {
    case ConfigOperation.set:
      configs[name] = value ?? ''
      return
    case ConfigOperation.delete:
      delete configs[name]
      return
    case ConfigOperation.append:
    case ConfigOperation.subtract: {
      const verb = operation.configOperation === ConfigOperation.append ? 'append' : 'subtract'
      const definition = dynamicDefinitionOf(name)
      if (definition !== undefined && definition.type !== 'list')
        refuse(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${name}`)
      const current = listItems(configs[name] ?? definition?.kafkaDefault ?? '')
      const changes = listItems(value ?? '')
      configs[name] = (
        verb === 'append'
          ? [...current, ...changes.filter((item) => !current.includes(item))]
          : current.filter((item) => !changes.includes(item))
      ).join(',')
      return
    }
    default:
      refuse(ErrorCode.INVALID_REQUEST, `Unknown operations type ${String(operation.configOperation)}`)
  }
}

/** What the level's configs would be after the request. */
function proposedConfigs(
  current: Readonly<Record<string, string>>,
  operations: readonly BrokerConfigOperation[],
): Record<string, string> {
  const names = operations.map((operation) => operation.name)
  if (new Set(names).size !== names.length)
    refuse(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys')
  const nullUpdates = operations
    .filter((operation) => operation.value === null && operation.configOperation !== ConfigOperation.delete)
    .map((operation) => operation.name)
  if (nullUpdates.length > 0)
    refuse(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nullUpdates.join(', ')}`)
  const legacy = operations.every((operation) => operation.configOperation === undefined)
  if (legacy)
    return Object.fromEntries(operations.map((operation) => [operation.name, operation.value ?? '']))
  const configs = { ...current }
  for (const operation of operations) applyOperation(configs, operation)
  return configs
}

/** ConfigAdminManager.validateResourceNameIsCurrentNodeId (KRaft's messages); "" is the cluster default. */
function checkResourceName(name: string, nodeId: number): Outcome {
  if (name === '') return success
  if (!/^-?\d+$/.test(name))
    return failure(ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${name}`)
  if (Number(name) !== nodeId)
    return failure(
      ErrorCode.INVALID_REQUEST,
      `Unexpected broker id, expected ${nodeId}, but received ${name}`,
    )
  return success
}

/** One BROKER resource of an alter request. */
export async function alterBrokerResource(
  services: BrokerServices,
  resourceName: string,
  operations: readonly BrokerConfigOperation[],
  validateOnly: boolean,
): Promise<Outcome> {
  const nameCheck = checkResourceName(resourceName, services.identity.nodeId)
  if (nameCheck.errorCode !== ErrorCode.NONE) return nameCheck
  const store = services.dynamicConfigs
  if (store === undefined) {
    if (operations.length === 0) return nameCheck
    const names = operations.map((operation) => operation.name).join(', ')
    return failure(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${names}`)
  }
  const level: DynamicConfigLevel = resourceName === '' ? 'clusterDefault' : 'perBroker'
  return attempt(async () => {
    const propose = (current: Readonly<Record<string, string>>): Record<string, string> => {
      const configs = proposedConfigs(current, operations)
      validateDynamicConfigs(configs, {
        perBroker: level === 'perBroker',
        currentValue: (name) => store.dynamicValue(name) ?? null,
      })
      return configs
    }
    // Cluster mode: the change starts from the latest stored cluster defaults (another broker's alter).
    if (validateOnly) propose(store.at(level))
    else await store.change(level, propose)
  })
}
