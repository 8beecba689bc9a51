// The SQL workbench's editor: a textarea (typing, selection, undo and accessibility stay the browser's)
// over a highlighted copy of its text. The highlighter (../sql-highlight.ts) is imported on first use,
// so it is not in the first page's JavaScript; until it arrives the textarea shows its text as usual.
// Completion (../sql-completion.ts): topic names inside streamline_topic('…', its columns after a word,
// in a listbox under the editor (Arrow keys choose, Enter or Tab takes, Escape closes).

import { useEffect, useRef, useState } from 'preact/hooks'
import { completionAt } from '../sql-completion.ts'
import type { Token } from '../sql-highlight.ts'

type Tokenizer = (sql: string) => Token[]

export function SqlEditor(props: {
  id: string
  value: string
  placeholder: string
  onInput: (value: string) => void
  onKeyDown: (event: KeyboardEvent) => void
  /** Topic names offered inside streamline_topic('…'). */
  topics: readonly string[]
}) {
  const [tokenize, setTokenize] = useState<Tokenizer | null>(null)
  const highlight = useRef<HTMLPreElement>(null)
  const area = useRef<HTMLTextAreaElement>(null)
  /** Where completion was asked for (the cursor after the last typed character), or null: closed. */
  const [cursor, setCursor] = useState<number | null>(null)
  const [active, setActive] = useState(0)
  const completion = cursor === null ? null : completionAt(props.value, cursor, props.topics)
  const listId = `${props.id}-completions`
  const pick = (index: number) => {
    if (completion === null) return
    const item = completion.items[index]
    const next = props.value.slice(0, completion.from) + item.insert + props.value.slice(completion.to)
    const caret = completion.from + item.insert.length
    // The text and the caret change now, not after the next render: a key typed right after the pick
    // must land after the inserted text (Preact leaves a value equal to the DOM's untouched).
    if (area.current !== null) {
      area.current.value = next
      area.current.setSelectionRange(caret, caret)
    }
    props.onInput(next)
    // After `streamline_topic('` the topic names follow.
    setCursor(item.insert.endsWith("('") ? caret : null)
    setActive(0)
  }
  const onKeyDown = (event: KeyboardEvent) => {
    if (completion !== null && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const count = completion.items.length
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault()
        setActive((index) => (index + (event.key === 'ArrowDown' ? 1 : count - 1)) % count)
        return
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault()
        pick(Math.min(active, count - 1))
        return
      }
      if (event.key === 'Escape') {
        event.preventDefault()
        setCursor(null)
        return
      }
    }
    props.onKeyDown(event)
  }
  useEffect(() => {
    let live = true
    import('../sql-highlight.ts').then(
      (module) => live && setTokenize(() => module.tokenizeSql),
      () => undefined, // no highlighting: the plain textarea still works
    )
    return () => {
      live = false
    }
  }, [])
  const syncScroll = (event: Event) => {
    const area = event.currentTarget as HTMLTextAreaElement
    if (highlight.current !== null) {
      highlight.current.scrollTop = area.scrollTop
      highlight.current.scrollLeft = area.scrollLeft
    }
  }
  return (
    <div class={tokenize === null ? 'sql-editor' : 'sql-editor highlighted'}>
      {tokenize === null ? null : (
        <pre ref={highlight} aria-hidden="true" data-testid="sql-highlight">
          {tokenize(props.value).map((token, index) =>
            token.kind === 'text' ? (
              token.text
            ) : (
              <span key={index} class={`tok-${token.kind}`}>
                {token.text}
              </span>
            ),
          )}
          {/* A trailing newline needs a character after it to take up its line, as in the textarea. */}{' '}
        </pre>
      )}
      <textarea
        ref={area}
        id={props.id}
        class="code"
        rows={8}
        spellcheck={false}
        value={props.value}
        placeholder={props.placeholder}
        aria-autocomplete="list"
        aria-controls={completion === null ? undefined : listId}
        aria-activedescendant={
          completion === null ? undefined : `${listId}-${Math.min(active, completion.items.length - 1)}`
        }
        onInput={(event) => {
          setCursor(event.currentTarget.selectionStart)
          setActive(0)
          props.onInput(event.currentTarget.value)
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setCursor(null)}
        onClick={() => setCursor(null)}
        onScroll={syncScroll}
      />
      {completion === null ? null : (
        <div class="completions" role="listbox" id={listId} aria-label="Completions">
          {completion.items.map((item, index) => (
            <div
              key={item.label}
              tabIndex={-1}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === Math.min(active, completion.items.length - 1)}
              onMouseDown={(event) => {
                event.preventDefault()
                pick(index)
              }}
            >
              {item.label}
            </div>
          ))}
        </div>
      )}
    </div>
  )
}
