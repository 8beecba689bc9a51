// The options every connector has (Kafka's ConnectorConfig, SinkConnectorConfig, SourceConnectorConfig)
// and validation of a whole connector config: the common options, the connector's own, its transforms
// and predicates, answered per field in Kafka's ConfigInfos shape.

import { converterClassName } from '../converters/index.ts'
import {
  atLeast,
  type ConfigDef,
  type ConfigInfo,
  type ConfigKey,
  keyInfo,
  oneOf,
  type Properties,
  validateConfig,
} from '../sdk/config-def.ts'
import type { SourceConnector } from '../sdk/connector.ts'
import { findConnector, findPredicate, findTransform } from './plugins.ts'

const converterCheck = (value: unknown): string | null =>
  typeof value === 'string' && converterClassName(value) === null
    ? `Class ${value} could not be found.`
    : null

const common: ConfigDef = [
  {
    name: 'name',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Globally unique name to use for this connector.',
    group: 'Common',
    orderInGroup: 1,
    displayName: 'Connector name',
  },
  {
    name: 'connector.class',
    type: 'STRING',
    importance: 'HIGH',
    documentation: 'Name or alias of the class for this connector.',
    group: 'Common',
    orderInGroup: 2,
    displayName: 'Connector class',
  },
  {
    name: 'tasks.max',
    type: 'INT',
    defaultValue: 1,
    importance: 'HIGH',
    documentation: 'Maximum number of tasks to use for this connector.',
    group: 'Common',
    orderInGroup: 3,
    displayName: 'Tasks max',
    validate: atLeast(1),
  },
  {
    name: 'key.converter',
    type: 'CLASS',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka.',
    group: 'Common',
    orderInGroup: 5,
    displayName: 'Key converter class',
    validate: converterCheck,
  },
  {
    name: 'value.converter',
    type: 'CLASS',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      'Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka.',
    group: 'Common',
    orderInGroup: 6,
    displayName: 'Value converter class',
    validate: converterCheck,
  },
  {
    name: 'transforms',
    type: 'LIST',
    defaultValue: [],
    importance: 'LOW',
    documentation: 'Aliases for the transformations to be applied to records.',
    group: 'Transforms',
    orderInGroup: 1,
    displayName: 'Transforms',
  },
  {
    name: 'predicates',
    type: 'LIST',
    defaultValue: [],
    importance: 'LOW',
    documentation: 'Aliases for the predicates used by transformations.',
    group: 'Predicates',
    orderInGroup: 1,
    displayName: 'Predicates',
  },
  {
    name: 'errors.retry.timeout',
    type: 'LONG',
    defaultValue: 0,
    importance: 'MEDIUM',
    documentation:
      'The maximum duration in milliseconds that a failed operation will be reattempted. The default is 0, which means no retries will be attempted. Use -1 for infinite retries.',
    group: 'Error Handling',
    orderInGroup: 1,
    displayName: 'Retry Timeout for Errors',
  },
  {
    name: 'errors.retry.delay.max.ms',
    type: 'LONG',
    defaultValue: 60000,
    importance: 'MEDIUM',
    documentation:
      'The maximum duration in milliseconds between consecutive retry attempts. Jitter will be added to the delay once this limit is reached to prevent thundering herd issues.',
    group: 'Error Handling',
    orderInGroup: 2,
    displayName: 'Maximum Delay Between Retries for Errors',
  },
  {
    name: 'errors.tolerance',
    type: 'STRING',
    defaultValue: 'none',
    importance: 'MEDIUM',
    documentation:
      "Behavior for tolerating errors during connector operation. 'none' is the default value and signals that any error will result in an immediate connector task failure; 'all' changes the behavior to skip over problematic records.",
    group: 'Error Handling',
    orderInGroup: 3,
    displayName: 'Error Tolerance',
    validate: oneOf('none', 'all'),
  },
  {
    name: 'errors.log.enable',
    type: 'BOOLEAN',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation:
      "If true, write each error and the details of the failed operation and problematic record to the Connect application log. This is 'false' by default, so that only errors that are not tolerated are reported.",
    group: 'Error Handling',
    orderInGroup: 4,
    displayName: 'Log Errors',
  },
  {
    name: 'errors.log.include.messages',
    type: 'BOOLEAN',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation:
      "Whether to include in the log the Connect record that resulted in a failure. This is 'false' by default, which will prevent record keys, values, and headers from being written to log files.",
    group: 'Error Handling',
    orderInGroup: 5,
    displayName: 'Log Error Details',
  },
]

const sinkOnly: ConfigDef = [
  {
    name: 'topics',
    type: 'LIST',
    defaultValue: '',
    importance: 'HIGH',
    documentation: 'List of topics to consume, separated by commas',
    group: 'Common',
    orderInGroup: 4,
    displayName: 'Topics',
  },
  {
    name: 'topics.regex',
    type: 'STRING',
    defaultValue: '',
    importance: 'HIGH',
    documentation:
      'Regular expression giving topics to consume. Only one of topics or topics.regex should be specified.',
    group: 'Common',
    orderInGroup: 4,
    displayName: 'Topics regex',
  },
  {
    name: 'errors.deadletterqueue.topic.name',
    type: 'STRING',
    defaultValue: '',
    importance: 'MEDIUM',
    documentation:
      'The name of the topic to be used as the dead letter queue (DLQ) for messages that result in an error when processed by this sink connector, or its transformations or converters. The topic name is blank by default, which means that no messages are to be recorded in the DLQ.',
    group: 'Error Handling',
    orderInGroup: 6,
    displayName: 'Dead Letter Queue Topic Name',
  },
  {
    name: 'errors.deadletterqueue.topic.replication.factor',
    type: 'INT',
    defaultValue: 3,
    importance: 'MEDIUM',
    documentation:
      "Replication factor used to create the dead letter queue topic when it doesn't already exist.",
    group: 'Error Handling',
    orderInGroup: 7,
    displayName: 'Dead Letter Queue Topic Replication Factor',
  },
  {
    name: 'errors.deadletterqueue.context.headers.enable',
    type: 'BOOLEAN',
    defaultValue: false,
    importance: 'MEDIUM',
    documentation:
      'If true, add headers containing error context to the messages written to the dead letter queue. To avoid clashing with headers from the original record, all error context header keys, all error context header keys will start with <code>__connect.errors.</code>',
    group: 'Error Handling',
    orderInGroup: 8,
    displayName: 'Enable Error Context Headers',
  },
]

/** KIP-618's SourceConnectorConfig options (only source connectors have them). */
const sourceOnly: ConfigDef = [
  {
    name: 'exactly.once.support',
    type: 'STRING',
    defaultValue: 'requested',
    importance: 'MEDIUM',
    documentation:
      'Permitted values are requested, required. If set to "required", forces a preflight check for the connector to ensure that it can provide exactly-once semantics with the given configuration. If the value is set to "required" but the worker that performs preflight validation does not have exactly-once support enabled for source connectors, requests to create or validate the connector will fail.',
    group: 'Exactly Once Support',
    orderInGroup: 1,
    displayName: 'Exactly once support',
    validate: oneOf('requested', 'required'),
  },
  {
    name: 'transaction.boundary',
    type: 'STRING',
    defaultValue: 'poll',
    importance: 'MEDIUM',
    documentation:
      "Permitted values are: poll, interval, connector. If set to 'poll', a new producer transaction will be started and committed for every batch of records that each task from this connector provides to Connect. If set to 'connector', relies on connector-defined transaction boundaries; note that not all connectors are capable of defining their own transaction boundaries, and in that case, attempts to instantiate a connector with this value will fail. Finally, if set to 'interval', commits transactions only after a user-defined time interval has passed.",
    group: 'Exactly Once Support',
    orderInGroup: 2,
    displayName: 'Transaction Boundary',
    validate: oneOf('poll', 'interval', 'connector'),
  },
  {
    name: 'transaction.boundary.interval.ms',
    type: 'LONG',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      "If 'transaction.boundary' is set to 'interval', determines the interval for producer transaction commits by connector tasks. If unset, defaults to the value of the worker-level 'offset.flush.interval.ms' property. It has no effect if a different transaction.boundary is specified.",
    group: 'Exactly Once Support',
    orderInGroup: 3,
    displayName: 'Transaction boundary interval',
    validate: (value: unknown) =>
      typeof value === 'number' && value < 0 ? 'Value must be at least 0' : null,
  },
  {
    name: 'offsets.storage.topic',
    type: 'STRING',
    defaultValue: null,
    importance: 'LOW',
    documentation:
      "The name of a separate offsets topic to use for this connector. If empty or not specified, the worker’s global offsets topic name will be used. If specified, the offsets topic will be created if it does not already exist on the Kafka cluster targeted by this connector (which may be different from the one used for the worker's global offsets topic if the bootstrap.servers property of the connector's producer has been overridden from the worker's).",
    group: 'offsets.topic',
    orderInGroup: 1,
    displayName: 'Offsets topic',
  },
]

/** What validation needs to know about the worker (Kafka checks KIP-618's options against it). */
export interface WorkerValidationContext {
  /** The worker's `exactly.once.source.support` is `enabled`. */
  exactlyOnceSourceEnabled: boolean
}

/** Kafka's ConfigInfos (PUT /connector-plugins/{type}/config/validate and 400 answers). */
export interface ConfigInfos {
  name: string
  error_count: number
  groups: string[]
  configs: ConfigInfo[]
}

/** The options a connector of this type accepts, common ones first. */
export function connectorConfigDef(type: 'source' | 'sink', own: ConfigDef): ConfigDef {
  return [...common, ...(type === 'sink' ? sinkOnly : sourceOnly), ...own]
}

export function validateConnectorConfig(
  properties: Properties,
  worker: WorkerValidationContext = { exactlyOnceSourceEnabled: false },
): ConfigInfos {
  const className = properties['connector.class'] ?? ''
  const plugin = findConnector(className)
  const connector = plugin?.create() ?? null
  const definition = connectorConfigDef(connector?.type ?? 'source', connector?.config() ?? [])
  const keys: ConfigKey[] = [...definition]
  const results = validateConfig(definition, properties)
  const errorsOf = (name: string): string[] => results.find((result) => result.name === name)?.errors ?? []
  if (connector === null && className !== '')
    errorsOf('connector.class').push(
      `Failed to find any class that implements Connector and which name matches ${className}`,
    )
  if (connector?.type === 'sink') checkSinkTopics(properties, errorsOf)
  if (connector?.type === 'source') checkExactlyOnce(connector, properties, worker, errorsOf)
  for (const extra of pluginKeys(properties)) {
    keys.push(extra.key)
    results.push({
      name: extra.key.name,
      raw: properties[extra.key.name] ?? null,
      parsed: null,
      errors: extra.errors,
    })
  }
  const configs = keys.map((key, index) => ({
    definition: keyInfo(key),
    value: {
      name: key.name,
      value: results[index].raw ?? defaultOf(key),
      recommended_values: key.recommendedValues ?? [],
      errors: results[index].errors,
      visible: true,
    },
  }))
  const groups = [
    ...new Set(keys.map((key) => key.group).filter((group): group is string => group !== undefined)),
  ]
  return {
    name: plugin?.className ?? className,
    error_count: configs.reduce((count, config) => count + config.value.errors.length, 0),
    groups,
    configs,
  }
}

function defaultOf(key: ConfigKey): string | null {
  const info = keyInfo(key)
  return info.default_value
}

/** Kafka's preflight checks of exactly.once.support=required and transaction.boundary=connector. */
function checkExactlyOnce(
  connector: SourceConnector,
  properties: Properties,
  worker: WorkerValidationContext,
  errorsOf: (name: string) => string[],
): void {
  const required = (properties['exactly.once.support'] ?? 'requested').trim() === 'required'
  if (!worker.exactlyOnceSourceEnabled) {
    // Without worker support the options do nothing, but "required" cannot be honoured.
    if (required)
      errorsOf('exactly.once.support').push('This worker does not have exactly-once source support enabled.')
    return
  }
  if (required) {
    const support = connector.exactlyOnceSupport?.(properties) ?? null
    if (support === null)
      errorsOf('exactly.once.support').push(
        'The connector does not implement the API required for preflight validation of exactly-once source support. Please consult the documentation for the connector to determine whether it supports exactly-once semantics, and then consider reconfiguring the connector to use the value "requested" for this property (which will disable this preflight check and allow the connector to be created).',
      )
    else if (support !== 'SUPPORTED')
      errorsOf('exactly.once.support').push(
        'The connector does not support exactly-once semantics with the provided configuration.',
      )
  }
  if (
    (properties['transaction.boundary'] ?? 'poll').trim() === 'connector' &&
    connector.canDefineTransactionBoundaries?.(properties) !== 'SUPPORTED'
  )
    errorsOf('transaction.boundary').push(
      'The connector does not support connector-defined transaction boundaries with the given configuration. Please reconfigure it to use a different transaction boundary definition.',
    )
}

/**
 * A sink's `topics.regex` as the pattern its consumer subscribes with: the whole topic name must match
 * (Java's Matcher.matches()). JavaScript's regular expression syntax (Java's for the common subset).
 */
export function sinkTopicsPattern(regex: string): RegExp {
  return new RegExp(`^(?:${regex})$`)
}

function checkSinkTopics(properties: Properties, errorsOf: (name: string) => string[]): void {
  const topics = (properties.topics ?? '').trim()
  const regex = (properties['topics.regex'] ?? '').trim()
  let pattern: RegExp | null = null
  if (regex !== '') {
    try {
      pattern = sinkTopicsPattern(regex)
    } catch (error) {
      // Kafka's RegexValidator: ConfigException(name, value, "Invalid regex: " + …).
      errorsOf('topics.regex').push(
        `Invalid value ${regex} for configuration topics.regex: Invalid regex: ${(error as Error).message}`,
      )
    }
  }
  if (topics !== '' && regex !== '') {
    const message = 'topics and topics.regex are mutually exclusive options, but both are set.'
    errorsOf('topics').push(message)
    errorsOf('topics.regex').push(message)
  } else if (topics === '' && regex === '') {
    const message = 'Must configure one of topics or topics.regex'
    errorsOf('topics').push(message)
    errorsOf('topics.regex').push(message)
  }
  const dlq = (properties['errors.deadletterqueue.topic.name'] ?? '').trim()
  if (dlq === '') return
  if (
    topics
      .split(',')
      .map((topic) => topic.trim())
      .includes(dlq)
  )
    errorsOf('errors.deadletterqueue.topic.name').push(
      `The DLQ topic '${dlq}' may not be included in the list of topics ('topics=${topics}') consumed by the connector`,
    )
  if (pattern?.test(dlq))
    errorsOf('errors.deadletterqueue.topic.name').push(
      `The DLQ topic '${dlq}' may not be included in the regex matching the topics ('topics.regex=${regex}') consumed by the connector`,
    )
}

/** The `transforms.<alias>.*` and `predicates.<alias>.*` options of a config, checked by their plugin. */
function pluginKeys(properties: Properties): Array<{ key: ConfigKey; errors: string[] }> {
  const out: Array<{ key: ConfigKey; errors: string[] }> = []
  for (const [kind, find] of [
    ['transforms', findTransform],
    ['predicates', findPredicate],
  ] as const) {
    const aliases = (properties[kind] ?? '')
      .split(',')
      .map((alias) => alias.trim())
      .filter((alias) => alias !== '')
    for (const alias of aliases) {
      const prefix = `${kind}.${alias}.`
      const typeName = properties[`${prefix}type`]
      const group = `${kind === 'transforms' ? 'Transforms' : 'Predicates'}: ${alias}`
      const typeKey: ConfigKey = {
        name: `${prefix}type`,
        type: 'CLASS',
        importance: 'HIGH',
        documentation: `Class for the '${alias}' ${kind === 'transforms' ? 'transformation' : 'predicate'}.`,
        group,
      }
      const plugin = typeName === undefined ? null : find(typeName)
      const typeErrors =
        typeName === undefined
          ? [`Missing required configuration "${prefix}type" which has no default value.`]
          : plugin === null
            ? [
                `Invalid value ${typeName} for configuration ${prefix}type: Class ${typeName} could not be found.`,
              ]
            : []
      out.push({ key: typeKey, errors: typeErrors })
      if (plugin === null) continue
      const own = plugin.create().config()
      const scoped: Properties = {}
      for (const [key, value] of Object.entries(properties))
        if (key.startsWith(prefix)) scoped[key.slice(prefix.length)] = value
      for (const result of validateConfig(own, scoped)) {
        const key = own.find((candidate) => candidate.name === result.name)
        if (key === undefined) continue
        out.push({
          key: { ...key, name: `${prefix}${key.name}`, group },
          errors: result.errors.map((error) =>
            error
              .replaceAll(`"${key.name}"`, `"${prefix}${key.name}"`)
              .replaceAll(`configuration ${key.name}`, `configuration ${prefix}${key.name}`),
          ),
        })
      }
    }
  }
  return out
}

/** Kafka's 400 message for an invalid connector config. */
export function invalidConfigMessage(infos: ConfigInfos): string {
  const messages = infos.configs.flatMap((config) => config.value.errors)
  return `Connector configuration is invalid and contains the following ${messages.length} error(s):\n${messages.join('\n')}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/{connectorType}/config/validate\``
}
