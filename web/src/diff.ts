// Line diff of two texts (longest common subsequence), for comparing schema versions. Schemas are
// small; texts over `maxLines` lines are compared as a whole (every old line removed, every new added)
// so the browser never builds a huge table.

export interface DiffLine {
  kind: 'same' | 'added' | 'removed'
  text: string
}

const maxLines = 4000

export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n')
  const b = after.split('\n')
  if (a.length * b.length > maxLines * maxLines) {
    return [
      ...a.map((text) => ({ kind: 'removed' as const, text })),
      ...b.map((text) => ({ kind: 'added' as const, text })),
    ]
  }
  // lengths[i][j]: LCS length of a[i..] and b[j..], in one flat array.
  const width = b.length + 1
  const lengths = new Uint32Array((a.length + 1) * width)
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lengths[i * width + j] =
        a[i] === b[j]
          ? lengths[(i + 1) * width + j + 1] + 1
          : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
    }
  }
  const lines: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i] })
      i += 1
      j += 1
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
      lines.push({ kind: 'removed', text: a[i] })
      i += 1
    } else {
      lines.push({ kind: 'added', text: b[j] })
      j += 1
    }
  }
  for (; i < a.length; i += 1) lines.push({ kind: 'removed', text: a[i] })
  for (; j < b.length; j += 1) lines.push({ kind: 'added', text: b[j] })
  return lines
}

/** A schema as readable text: JSON (Avro, JSON Schema) pretty-printed, Protobuf as it is. */
export function prettySchema(schema: string): string {
  try {
    return JSON.stringify(JSON.parse(schema), null, 2)
  } catch {
    return schema
  }
}
