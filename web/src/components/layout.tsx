// The frame of every page: a skip link, the navigation (an item may name the API it needs, and is shown
// only when the broker's OpenAPI document has it: the hook for the Schemas, Connectors and SQL pages,
// which are not built yet and so are not listed), the theme switch, and the page's main region.

import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.ts'
import { Link } from '../router.tsx'
import { ThemeToggle } from './theme-toggle.tsx'

interface NavItem {
  href: string
  label: string
  /** Shown only when the OpenAPI document has a path starting with this. */
  requiresApi?: string
}

/** In order. A page for a platform part names the API that must answer before it shows. */
export const navItems: readonly NavItem[] = [
  { href: '/', label: 'Overview' },
  { href: '/topics', label: 'Topics' },
  { href: '/groups', label: 'Consumer groups' },
  { href: '/security', label: 'Security' },
]

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`)
}

export function Layout(props: { path: string; title: string; children: ComponentChildren }) {
  const [apiPaths, setApiPaths] = useState<string[]>([])
  useEffect(() => {
    api.openApiPaths().then(setApiPaths, () => setApiPaths([]))
  }, [])
  useEffect(() => {
    document.title = `${props.title} · Streamline`
  }, [props.title])
  const visible = navItems.filter(
    (item) =>
      item.requiresApi === undefined || apiPaths.some((path) => path.startsWith(item.requiresApi ?? '')),
  )
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          Streamline
        </Link>
        <nav aria-label="Main">
          <ul>
            {visible.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={isCurrent(item.href, props.path) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <ThemeToggle />
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  )
}
