// The connector config form's logic, apart from its rendering: Connect's validate answer
// (ConfigInfos) arranged into sections, the input each key type gets, and the config a form submits.

import type { ConfigInfos, ConfigKeyInfo, ConfigValueInfo } from './services-api.ts'

export interface ConfigField {
  definition: ConfigKeyInfo
  value: ConfigValueInfo
}

export interface ConfigSection {
  title: string
  /** Shown open: the common keys and the connector's own; the rest (transforms, error handling, …)
   * open when the user opens them or when a key in them has an error to show. */
  primary: boolean
  fields: ConfigField[]
}

/** Keys the form sets itself: the class comes from the chosen plugin. */
export const connectorClassKey = 'connector.class'

/** The last part of a class name: the title of the section of a connector's own (ungrouped) keys. */
export function shortClassName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1)
}

/** Connect's groups in its order, with the connector's own keys (Kafka's ConfigDef leaves them
 * ungrouped: group null) right after Common, each group's keys by their order in the group (keys
 * without one, order -1, keep the connector's order). Keys Connect marks invisible are left out. */
export function configSections(infos: ConfigInfos, pluginClass: string): ConfigSection[] {
  const byGroup = new Map<string | null, ConfigField[]>()
  for (const { definition, value } of infos.configs) {
    if (!value.visible) continue
    const fields = byGroup.get(definition.group) ?? []
    fields.push({ definition, value })
    byGroup.set(definition.group, fields)
  }
  const order: Array<string | null> = []
  for (const group of infos.groups) {
    order.push(group)
    if (group === 'Common') order.push(null)
  }
  if (!order.includes(null)) order.unshift(null)
  for (const group of byGroup.keys()) if (!order.includes(group)) order.push(group)
  const sections: ConfigSection[] = []
  for (const group of order) {
    const fields = byGroup.get(group)
    if (fields === undefined || fields.length === 0) continue
    const sorted = fields
      .map((field, index) => ({ field, index }))
      .sort(
        (a, b) =>
          (a.field.definition.order < 0 || b.field.definition.order < 0
            ? 0
            : a.field.definition.order - b.field.definition.order) || a.index - b.index,
      )
      .map(({ field }) => field)
    sections.push({
      title: group ?? shortClassName(pluginClass),
      primary: group === null || group === 'Common',
      fields: sorted,
    })
  }
  return sections
}

export type FieldKind = 'boolean' | 'choice' | 'number' | 'password' | 'text'

/** The input a key gets: its recommended values as a choice, true/false for a BOOLEAN, a numeric
 * keyboard for numbers (still a text field: Connect's own parse error is the one shown), a password
 * field for PASSWORD. */
export function fieldKind(field: ConfigField): FieldKind {
  const { type } = field.definition
  if (type === 'BOOLEAN') return 'boolean'
  if (field.value.recommended_values.length > 0) return 'choice'
  if (type === 'INT' || type === 'LONG' || type === 'SHORT' || type === 'DOUBLE') return 'number'
  if (type === 'PASSWORD') return 'password'
  return 'text'
}

/** The config a form sends: the class of its plugin and every key the user gave a value (an empty
 * field is left out, so Connect uses its default). */
export function configOf(pluginClass: string, values: Record<string, string>): Record<string, string> {
  const config: Record<string, string> = { [connectorClassKey]: pluginClass }
  for (const [key, value] of Object.entries(values)) {
    if (key !== connectorClassKey && value !== '') config[key] = value
  }
  return config
}

/** Keys of the form's values that Connect's answer does not define (a setting the plugin does not
 * know, kept so an edit does not drop it). */
export function undefinedKeys(infos: ConfigInfos, values: Record<string, string>): string[] {
  const defined = new Set(infos.configs.map((config) => config.definition.name))
  return Object.keys(values)
    .filter((key) => key !== connectorClassKey && !defined.has(key))
    .sort()
}

/** An id for a key usable in HTML ids (config keys hold dots and other characters). */
export function fieldId(key: string): string {
  return `config-${key.replace(/[^A-Za-z0-9_-]/g, (character) => `_${character.charCodeAt(0).toString(16)}`)}`
}
