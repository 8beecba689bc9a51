// The principal of a TLS client from its certificate subject, as Kafka's `ssl.principal.mapping.rules`:
// the subject as an RFC 2253 distinguished name (most specific first: `CN=alice,OU=eng,O=acme`),
// then the first rule that matches. `DEFAULT` keeps the whole name; `RULE:pattern/replacement/`
// (optional `L` or `U` after the last slash: lower or upper case) rewrites it. Principals carry
// Kafka's type prefix: `User:CN=alice,O=acme`.

export const anonymousPrincipal = 'User:ANONYMOUS'

export function userPrincipal(name: string): string {
  return `User:${name}`
}

/** A certificate subject as node:tls reports it (values may repeat: arrays). */
export type CertificateSubject = Record<string, string | string[] | undefined>

function escapeDnValue(value: string): string {
  return value
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ')
}

/** RFC 2253 order: node lists the subject as issued (C first), the DN string starts with CN. */
export function distinguishedNameOf(subject: CertificateSubject): string {
  const parts: string[] = []
  for (const [type, value] of Object.entries(subject)) {
    if (value === undefined) continue
    const values = Array.isArray(value) ? value : [value]
    parts.push(values.map((entry) => `${type}=${escapeDnValue(entry)}`).join('+'))
  }
  return parts.reverse().join(',')
}

type MappingRule =
  | { kind: 'default' }
  | { kind: 'rule'; pattern: RegExp; replacement: string; caseChange: '' | 'L' | 'U' }

const rulePattern = /^RULE:(.*?[^\\])\/(.*?)\/([LU]?)$/

/** Parses `DEFAULT` and `RULE:...` entries separated by commas (a comma inside a rule is its own). */
export function parseMappingRules(text: string): MappingRule[] {
  const entries = text
    .split(/,\s*(?=RULE:|DEFAULT\s*(?:,|$))/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  return entries.map((entry): MappingRule => {
    if (entry === 'DEFAULT') return { kind: 'default' }
    const match = rulePattern.exec(entry)
    if (match === null)
      throw new Error(`${JSON.stringify(entry)} is not DEFAULT or RULE:pattern/replacement/[LU]`)
    return {
      kind: 'rule',
      pattern: new RegExp(match[1]),
      replacement: match[2],
      caseChange: match[3] as '' | 'L' | 'U',
    }
  })
}

/** The principal name for a distinguished name: the first rule that matches; the DN if none does. */
export function mapDistinguishedName(rules: readonly MappingRule[], distinguishedName: string): string {
  for (const rule of rules) {
    if (rule.kind === 'default') return distinguishedName
    const match = rule.pattern.exec(distinguishedName)
    if (match === null || match[0] !== distinguishedName) continue
    const mapped = distinguishedName.replace(rule.pattern, rule.replacement)
    if (rule.caseChange === 'L') return mapped.toLowerCase()
    if (rule.caseChange === 'U') return mapped.toUpperCase()
    return mapped
  }
  return distinguishedName
}
