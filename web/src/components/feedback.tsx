// Small shared pieces: an error box with the API's code, a loading line, a status message.

export function ErrorBox(props: { error: Error | null }) {
  if (props.error === null) return null
  const code = (props.error as { code?: string }).code
  return (
    <p class="error" role="alert">
      {code === undefined ? '' : <strong>{code}: </strong>}
      {props.error.message}
    </p>
  )
}

export function Loading(props: { loading: boolean }) {
  return props.loading ? (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  ) : null
}

export function Notice(props: { text: string | null }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {props.text ?? ''}
    </p>
  )
}
