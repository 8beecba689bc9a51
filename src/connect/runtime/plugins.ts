// The plugins this worker knows, by Kafka's class names and short aliases (GET /connector-plugins).
// Transforms and predicates register from transforms/index.ts; connectors from connectors/index.ts.

import { connectorPlugins } from '../connectors/index.ts'
import { connectVersion } from '../connectors/version.ts'
import { converterClasses } from '../converters/index.ts'
import type { ConfigDef } from '../sdk/config-def.ts'
import type { AnyConnector } from '../sdk/connector.ts'
import type { Predicate, Transformation } from '../sdk/transformation.ts'
import { predicatePlugins, transformPlugins } from '../transforms/index.ts'

export type PluginType = 'source' | 'sink' | 'transformation' | 'predicate' | 'converter' | 'header_converter'

export interface ConnectorPlugin {
  className: string
  aliases: string[]
  create(): AnyConnector
}

export interface TransformPlugin {
  className: string
  create(): Transformation
}

export interface PredicatePlugin {
  className: string
  create(): Predicate
}

export interface PluginInfo {
  class: string
  type: PluginType
  version: string
}

/** Connectors loaded from plugin.path (runtime/plugin-path.ts), beside the bundled ones. */
const externalConnectors: ConnectorPlugin[] = []

/** Adds plugin.path connectors; a class name already known (bundled or loaded) keeps its first plugin. */
export function registerConnectorPlugins(plugins: readonly ConnectorPlugin[]): ConnectorPlugin[] {
  const added: ConnectorPlugin[] = []
  for (const plugin of plugins) {
    if (allConnectors().some((known) => known.className === plugin.className)) continue
    externalConnectors.push(plugin)
    added.push(plugin)
  }
  return added
}

function allConnectors(): ConnectorPlugin[] {
  return [...connectorPlugins, ...externalConnectors]
}

/** The connector plugin of `connector.class` (full name, simple name or alias, as Kafka resolves them). */
export function findConnector(name: string): ConnectorPlugin | null {
  const wanted = name.trim()
  return (
    allConnectors().find(
      (plugin) =>
        plugin.className === wanted ||
        plugin.aliases.includes(wanted) ||
        plugin.className.split('.').pop() === wanted,
    ) ?? null
  )
}

export function findTransform(name: string): TransformPlugin | null {
  const wanted = name.trim()
  return (
    transformPlugins.find(
      (plugin) => plugin.className === wanted || simpleName(plugin.className) === wanted,
    ) ?? null
  )
}

export function findPredicate(name: string): PredicatePlugin | null {
  const wanted = name.trim()
  return (
    predicatePlugins.find(
      (plugin) => plugin.className === wanted || simpleName(plugin.className) === wanted,
    ) ?? null
  )
}

function simpleName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1)
}

/** GET /connector-plugins: connectors first (sorted by class), then the rest unless connectorsOnly. */
export function pluginInfos(options: { connectorsOnly: boolean }): PluginInfo[] {
  const connectors: PluginInfo[] = allConnectors().map((plugin) => {
    const connector = plugin.create()
    return { class: plugin.className, type: connector.type, version: connector.version() }
  })
  connectors.sort((a, b) => a.class.localeCompare(b.class))
  if (options.connectorsOnly) return connectors
  const others: PluginInfo[] = [
    ...transformPlugins.map((plugin) => ({
      class: plugin.className,
      type: 'transformation' as const,
      version: connectVersion,
    })),
    ...predicatePlugins.map((plugin) => ({
      class: plugin.className,
      type: 'predicate' as const,
      version: connectVersion,
    })),
    ...Object.keys(converterClasses).map((name) => ({
      class: name,
      type: 'converter' as const,
      version: connectVersion,
    })),
  ]
  others.sort((a, b) => a.class.localeCompare(b.class))
  return [...connectors, ...others]
}

/** The config definition of a plugin by name (GET /connector-plugins/{type}/config), or null. */
export function pluginConfigDef(name: string): ConfigDef | null {
  const connector = findConnector(name)
  if (connector !== null) return connector.create().config()
  const transform = findTransform(name)
  if (transform !== null) return transform.create().config()
  const predicate = findPredicate(name)
  if (predicate !== null) return predicate.create().config()
  return null
}
