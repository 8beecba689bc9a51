// A small history-API router: every view has a readable URL (/topics/orders/messages?partition=0),
// links are real <a href> (open in a new tab, keyboard focus), and the back button works.

import type { AnchorHTMLAttributes, ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'

export interface Location {
  path: string
  search: URLSearchParams
}

const listeners = new Set<() => void>()

function current(): Location {
  return { path: window.location.pathname, search: new URLSearchParams(window.location.search) }
}

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener()
})

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return
  if (options.replace === true) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  for (const listener of listeners) listener()
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current)
  useEffect(() => {
    const listener = () => setLocation(current())
    listeners.add(listener)
    return () => listeners.delete(listener)
  }, [])
  return location
}

/** A query string from parameters, dropping empty ones. */
export function withQuery(path: string, parameters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== '') search.set(name, String(value))
  }
  const text = search.toString()
  return text === '' ? path : `${path}?${text}`
}

export function Link(
  props: { href: string; children: ComponentChildren } & AnchorHTMLAttributes<HTMLAnchorElement>,
) {
  const { href, children, ...rest } = props
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(href)
  }
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  )
}
