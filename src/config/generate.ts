// Text derived from the schema: `streamline --generate-config` (a commented TOML file with every
// option at its default, which parses back to the defaults) and `streamline --help`.

import { kafkaAliases } from './kafka-names.ts'
import { allowedValues, type OptionLeaf, optionLeaves } from './options.ts'

function tomlValue(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

function kafkaNamesOf(leaf: OptionLeaf): string[] {
  return [...kafkaAliases].filter(([, alias]) => alias.key === leaf.tomlKey).map(([name]) => name)
}

function describeLeaf(leaf: OptionLeaf): string[] {
  const lines = [`# ${leaf.doc}`, `# Allowed: ${allowedValues(leaf)}.`]
  const kafkaNames = kafkaNamesOf(leaf)
  if (kafkaNames.length > 0) lines.push(`# Kafka name: ${kafkaNames.join(', ')}.`)
  lines.push(`# Flag --${leaf.flag}, environment ${leaf.envName}.`)
  const name = leaf.tomlKey.slice(leaf.tomlKey.lastIndexOf('.') + 1)
  if (leaf.defaultValue === undefined) lines.push(`# ${name} =   (unset by default)`)
  else lines.push(`${name} = ${tomlValue(leaf.defaultValue)}`)
  return lines
}

/** A TOML file with every option at its default, each explained. */
export function generateConfigToml(version: string): string {
  const lines = [
    `# Streamline ${version} configuration: every option with its default.`,
    '# Precedence: command-line flags > STREAMLINE_* environment variables > this file > defaults.',
    "# Kafka's broker config names (num.partitions, log.retention.hours, ...) are accepted as keys too.",
  ]
  let section = ''
  for (const leaf of optionLeaves) {
    const leafSection = leaf.tomlKey.includes('.') ? leaf.tomlKey.slice(0, leaf.tomlKey.lastIndexOf('.')) : ''
    if (leafSection !== section) {
      section = leafSection
      lines.push('', `[${section}]`)
    }
    lines.push('', ...describeLeaf(leaf))
  }
  return `${lines.join('\n')}\n`
}

function flagUsage(leaf: OptionLeaf): string {
  if (leaf.kind === 'boolean') return leaf.defaultValue === true ? `--no-${leaf.flag}` : `--${leaf.flag}`
  const valueName =
    leaf.valueName ?? (leaf.kind === 'integer' ? '<n>' : leaf.kind === 'enum' ? '<value>' : '<text>')
  return `--${leaf.flag} ${valueName}`
}

function helpLine(leaf: OptionLeaf): string {
  const usage = flagUsage(leaf).padEnd(46)
  const detail = leaf.kind === 'enum' ? ` (${leaf.values.join(', ')})` : ''
  const shown = leaf.defaultValue === undefined ? '' : ` [default ${String(leaf.defaultValue)}]`
  return `  ${usage} ${leaf.doc}${detail}${shown}`
}

export function helpText(version: string): string {
  return [
    `streamline ${version}: a Kafka-compatible broker`,
    '',
    'Usage: streamline [options]',
    '',
    'Options:',
    ...optionLeaves.map(helpLine),
    '',
    `  ${'-c, --config <file>'.padEnd(46)} TOML config file (also STREAMLINE_CONFIG)`,
    `  ${'--generate-config'.padEnd(46)} print a commented config file with every default and exit`,
    `  ${'-v, --version'.padEnd(46)} print the version and exit`,
    `  ${'-h, --help'.padEnd(46)} show this help and exit`,
    '',
    'Every option can also be set as STREAMLINE_<KEY> (e.g. STREAMLINE_TOPICS_NUM_PARTITIONS=3) and in',
    'the TOML file. Boolean flags take --flag, --no-flag or --flag=true|false.',
    'Precedence: flags > environment > config file > defaults.',
    '',
  ].join('\n')
}
