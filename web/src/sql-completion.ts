// Completion in the SQL editor: inside `streamline_topic('…` the topic names that start with what is
// typed; elsewhere, after a word, the columns of streamline_topic (docs/sql.md) and the function
// itself. Pure functions: the editor (components/sql-editor.tsx) asks at the cursor and applies a pick.

/** streamline_topic's columns; `offset` is a reserved word and is inserted quoted. */
export const topicColumns = [
  'topic',
  'partition',
  'offset',
  'timestamp',
  'timestamp_type',
  'key',
  'value',
  'headers',
  'key_bytes',
  'value_bytes',
]

export interface Completion {
  /** The text from `from` to the cursor is replaced by the chosen item's insert text. */
  from: number
  to: number
  items: Array<{ label: string; insert: string }>
}

const itemsMax = 12

export function completionAt(text: string, cursor: number, topics: readonly string[]): Completion | null {
  const before = text.slice(0, cursor)
  const inTopic = /streamline_topic\(\s*'([^'\n]*)$/i.exec(before)
  if (inTopic !== null) {
    const prefix = inTopic[1]
    const closed = text.slice(cursor).startsWith("'")
    const items = topics
      .filter((topic) => topic.startsWith(prefix) && topic !== prefix)
      .sort()
      .slice(0, itemsMax)
      .map((topic) => ({ label: topic, insert: closed ? topic : `${topic}')` }))
    return items.length === 0 ? null : { from: cursor - prefix.length, to: cursor, items }
  }
  const word = /(^|[^A-Za-z0-9_"'.])([A-Za-z_][A-Za-z0-9_]*)$/.exec(before)
  if (word === null || /^[A-Za-z0-9_]/.test(text.slice(cursor))) return null
  // Not inside a string or a quoted name: an odd number of quotes before the word means it is.
  const head = before.slice(0, before.length - word[2].length)
  if ((head.match(/'/g)?.length ?? 0) % 2 === 1 || (head.match(/"/g)?.length ?? 0) % 2 === 1) return null
  const prefix = word[2].toLowerCase()
  const items = [...topicColumns, 'streamline_topic']
    .filter((name) => name.startsWith(prefix) && name !== prefix)
    .slice(0, itemsMax)
    .map((name) => ({
      label: name,
      insert: name === 'offset' ? '"offset"' : name === 'streamline_topic' ? "streamline_topic('" : name,
    }))
  return items.length === 0 ? null : { from: cursor - word[2].length, to: cursor, items }
}
