// The SQL workbench's editor: a textarea (typing, selection, undo and accessibility stay the browser's)
// over a highlighted copy of its text. The highlighter (../sql-highlight.ts) is imported on first use,
// so it is not in the first page's JavaScript; until it arrives the textarea shows its text as usual.

import { useEffect, useRef, useState } from 'preact/hooks'
import type { Token } from '../sql-highlight.ts'

type Tokenizer = (sql: string) => Token[]

export function SqlEditor(props: {
  id: string
  value: string
  placeholder: string
  onInput: (value: string) => void
  onKeyDown: (event: KeyboardEvent) => void
}) {
  const [tokenize, setTokenize] = useState<Tokenizer | null>(null)
  const highlight = useRef<HTMLPreElement>(null)
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
        id={props.id}
        class="code"
        rows={8}
        spellcheck={false}
        value={props.value}
        placeholder={props.placeholder}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        onKeyDown={props.onKeyDown}
        onScroll={syncScroll}
      />
    </div>
  )
}
