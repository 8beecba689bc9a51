// Data loading for pages: useLoad runs a request, keeps its result or error, and reloads on demand
// (or every `refreshMs`), ignoring answers that arrive after the page moved on.

import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Loaded<T> {
  data: T | null
  error: Error | null
  loading: boolean
  reload: () => void
}

export function useLoad<T>(load: () => Promise<T>, keys: unknown[], refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  })
  const generation = useRef(0)
  const run = useCallback(() => {
    generation.current += 1
    const mine = generation.current
    setState((previous) => ({ ...previous, loading: true }))
    load().then(
      (data) => {
        if (mine === generation.current) setState({ data, error: null, loading: false })
      },
      (error: unknown) => {
        if (mine === generation.current) {
          setState((previous) => ({ ...previous, error: error as Error, loading: false }))
        }
      },
    )
  }, keys)
  useEffect(() => {
    run()
    if (refreshMs === undefined) return undefined
    const timer = window.setInterval(run, refreshMs)
    return () => window.clearInterval(timer)
  }, [run, refreshMs])
  return { ...state, reload: run }
}
