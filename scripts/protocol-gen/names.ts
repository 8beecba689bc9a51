// Naming rules shared by the emitters: Kafka's PascalCase names become camelCase fields and
// kebab-case file names; generated identifiers never collide with reserved words.

export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1)
}

export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
}

/** The API name without its Request/Response suffix: "MetadataRequest" -> "Metadata". */
export function apiName(messageName: string): string {
  return messageName.replace(/(Request|Response)$/, '')
}

export function versionLabel(min: number, max: number): string {
  if (min > max) return 'none'
  if (max === Number.POSITIVE_INFINITY) return `v${min}+`
  return min === max ? `v${min}` : `v${min}-${max}`
}
