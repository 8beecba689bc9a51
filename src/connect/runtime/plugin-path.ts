// Kafka's plugin.path for TypeScript/JavaScript connectors: each directory listed is scanned (not
// recursively beyond one level) for plugins — a `.js`/`.mjs` file, or a subdirectory with a
// package.json (its `main`, else index.js/index.mjs), as an npm package is laid out. A plugin module
// exports connector classes (our SourceConnector/SinkConnector contract, constructed without
// arguments): `export default class …`, and/or `export const connectors = [ClassA, ClassB]`. A class's
// plugin name is its static `className` (Kafka's fully-qualified name), else its JavaScript name;
// static `aliases` adds short names. A module that does not load, or exports nothing that fulfils the
// contract, is reported (logged, and kept in `failures`) and skipped: the worker goes on serving.

import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Logger } from '../../log.ts'
import type { AnyConnector } from '../sdk/connector.ts'
import type { ConnectorPlugin } from './plugins.ts'

export interface PluginLoadFailure {
  path: string
  message: string
}

export interface LoadedPlugins {
  plugins: ConnectorPlugin[]
  failures: PluginLoadFailure[]
}

type ConnectorClass = (new () => AnyConnector) & { className?: unknown; aliases?: unknown }

const connectorMethods = ['version', 'config', 'start', 'taskConfigs', 'stop', 'createTask'] as const

/** Loads every plugin under `directories`; never throws for a bad plugin (see `failures`). */
export async function loadPluginPath(directories: readonly string[], log: Logger): Promise<LoadedPlugins> {
  const loaded: LoadedPlugins = { plugins: [], failures: [] }
  for (const directory of directories) {
    let entries: string[]
    try {
      entries = (await readdir(directory)).sort()
    } catch (error) {
      loaded.failures.push({
        path: directory,
        message: `cannot read the directory: ${(error as Error).message}`,
      })
      continue
    }
    for (const entry of entries) {
      const path = resolve(directory, entry)
      const module = await moduleFileOf(path)
      if (module === null) continue
      try {
        loaded.plugins.push(...(await pluginsOfModule(module)))
      } catch (error) {
        loaded.failures.push({ path: module, message: (error as Error).message })
      }
    }
  }
  for (const failure of loaded.failures)
    log.error(
      { path: failure.path, reason: failure.message },
      'a Connect plugin could not be loaded; skipped',
    )
  for (const plugin of loaded.plugins) log.info({ plugin: plugin.className }, 'Connect plugin loaded')
  return loaded
}

/** The module file of a plugin-path entry, or null when the entry is not a plugin. */
async function moduleFileOf(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null)
  if (info === null) return null
  if (info.isFile()) return /\.(m?js|cjs)$/.test(path) ? path : null
  if (!info.isDirectory()) return null
  const manifest = await readFile(join(path, 'package.json'), 'utf8').catch(() => null)
  if (manifest !== null) {
    const main = (JSON.parse(manifest) as { main?: unknown }).main
    return join(path, typeof main === 'string' ? main : 'index.js')
  }
  for (const candidate of ['index.mjs', 'index.js']) {
    const file = join(path, candidate)
    if ((await stat(file).catch(() => null))?.isFile()) return file
  }
  return null
}

async function pluginsOfModule(file: string): Promise<ConnectorPlugin[]> {
  let exported: Record<string, unknown>
  try {
    exported = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  } catch (error) {
    throw new Error(`the module does not load: ${(error as Error).message}`)
  }
  const candidates = [
    ...(exported.default === undefined ? [] : [exported.default]),
    ...(Array.isArray(exported.connectors) ? exported.connectors : []),
  ]
  if (candidates.length === 0)
    throw new Error('the module exports no connector (a default export or `connectors`)')
  return candidates.map((candidate, index) => pluginOfClass(candidate, index))
}

function pluginOfClass(candidate: unknown, index: number): ConnectorPlugin {
  if (typeof candidate !== 'function')
    throw new Error(`export ${index} is ${typeof candidate}, not a connector class`)
  const connectorClass = candidate as ConnectorClass
  let instance: AnyConnector
  try {
    instance = new connectorClass()
  } catch (error) {
    throw new Error(`${connectorClass.name || 'a class'} cannot be constructed: ${(error as Error).message}`)
  }
  const name = typeof connectorClass.className === 'string' ? connectorClass.className : connectorClass.name
  const record = instance as unknown as Record<string, unknown>
  if (record.type !== 'source' && record.type !== 'sink')
    throw new Error(`${name}: its \`type\` must be "source" or "sink"`)
  const missing = connectorMethods.filter((method) => typeof record[method] !== 'function')
  if (missing.length > 0) throw new Error(`${name}: missing ${missing.join(', ')}`)
  const aliases = Array.isArray(connectorClass.aliases)
    ? connectorClass.aliases.filter((alias): alias is string => typeof alias === 'string')
    : []
  return { className: name, aliases, create: () => new connectorClass() }
}
