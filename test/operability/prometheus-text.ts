// A parser of the Prometheus text exposition format (version 0.0.4) for tests: every sample line
// becomes { name, labels, value }; # HELP / # TYPE lines are kept per metric family. Label values
// are unescaped (\\, \", \n). Lines that do not parse fail the test instead of being skipped.

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Exposition {
  samples: Sample[]
  types: Map<string, string>
  help: Map<string, string>
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {}
  const pattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g
  let consumed = 0
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    labels[match[1]] = match[2].replace(/\\(.)/g, (_, character: string) =>
      character === 'n' ? '\n' : character,
    )
    consumed = pattern.lastIndex
  }
  if (consumed !== text.length) throw new Error(`unparsable labels: {${text}}`)
  return labels
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY
  if (text === '-Inf') return Number.NEGATIVE_INFINITY
  // Prometheus parses floats as Go's ParseFloat does: NaN in any case (prom-client writes "Nan").
  if (text.toLowerCase() === 'nan') return Number.NaN
  const value = Number(text)
  if (Number.isNaN(value)) throw new Error(`unparsable value ${text}`)
  return value
}

export function parseExposition(text: string): Exposition {
  const exposition: Exposition = { samples: [], types: new Map(), help: new Map() }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line)
    if (comment !== null) {
      ;(comment[1] === 'HELP' ? exposition.help : exposition.types).set(comment[2], comment[3])
      continue
    }
    const match = sampleLine.exec(line)
    if (match === null) throw new Error(`unparsable exposition line: ${line}`)
    exposition.samples.push({
      name: match[1],
      labels: parseLabels(match[2] ?? ''),
      value: parseValue(match[3]),
    })
  }
  return exposition
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return exposition.samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )
}

/** The sum of the matching samples' values (0 when none). */
export function sumOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return samplesOf(exposition, name, labels).reduce((sum, sample) => sum + sample.value, 0)
}

export async function scrape(httpUrl: string): Promise<Exposition> {
  const response = await fetch(`${httpUrl}/metrics`)
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`)
  return parseExposition(await response.text())
}
