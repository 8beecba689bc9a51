// A collapsible JSON viewer: objects and arrays are native <details> (keyboard and screen readers know
// them: Enter or Space on the summary opens and closes), open to `openDepth` levels; leaves are shown
// as JSON text with a class per type for colour.

import type { ComponentChildren } from 'preact'

function leafClass(value: unknown): string {
  if (value === null) return 'json-null'
  return `json-${typeof value}`
}

function Node(props: { name: ComponentChildren; value: unknown; depth: number; openDepth: number }) {
  const { value, depth } = props
  if (value !== null && typeof value === 'object') {
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item, index): [string, unknown] => [String(index), item])
      : Object.entries(value as Record<string, unknown>)
    const count = Array.isArray(value)
      ? `[${entries.length} ${entries.length === 1 ? 'item' : 'items'}]`
      : `{${entries.length} ${entries.length === 1 ? 'key' : 'keys'}}`
    if (entries.length === 0)
      return (
        <div class="json-leaf">
          {props.name}
          <span class="json-empty">{Array.isArray(value) ? '[]' : '{}'}</span>
        </div>
      )
    return (
      <details class="json-node" open={depth < props.openDepth}>
        <summary>
          {props.name}
          <span class="muted">{count}</span>
        </summary>
        <div class="json-children">
          {entries.map(([key, item]) => (
            <Node
              key={key}
              name={
                <span class="json-key">{Array.isArray(value) ? `${key}: ` : `${JSON.stringify(key)}: `}</span>
              }
              value={item}
              depth={depth + 1}
              openDepth={props.openDepth}
            />
          ))}
        </div>
      </details>
    )
  }
  return (
    <div class="json-leaf">
      {props.name}
      <span class={leafClass(value)}>{JSON.stringify(value)}</span>
    </div>
  )
}

export function JsonTree(props: { value: unknown; openDepth?: number }) {
  return (
    <div class="json-tree">
      <Node name={null} value={props.value} depth={0} openDepth={props.openDepth ?? 2} />
    </div>
  )
}
