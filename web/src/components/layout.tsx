// The frame of every page: a skip link, the navigation (an item may name the API it needs, shown only
// when the broker's OpenAPI document has it, or the service it needs, shown only when
// /api/v1/services says it is enabled: Schemas and Connectors), the theme switch, and the main region.

import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.ts'
import { Link } from '../router.tsx'
import { type Services, servicesApi } from '../services-api.ts'
import { ThemeToggle } from './theme-toggle.tsx'

interface NavItem {
  href: string
  label: string
  /** Shown only when the OpenAPI document has a path starting with this. */
  requiresApi?: string
  /** Shown only when this service is enabled on the broker. */
  requiresService?: keyof Services
}

/** In order. A page for a platform part names the API that must answer before it shows. */
export const navItems: readonly NavItem[] = [
  { href: '/', label: 'Overview' },
  { href: '/topics', label: 'Topics' },
  { href: '/groups', label: 'Consumer groups' },
  { href: '/schemas', label: 'Schemas', requiresService: 'registry' },
  { href: '/connectors', label: 'Connectors', requiresService: 'connect' },
  { href: '/sql', label: 'SQL', requiresApi: '/api/v1/query' },
  { href: '/broker-configs', label: 'Broker configs', requiresApi: '/api/v1/broker-configs' },
  { href: '/security', label: 'Security' },
]

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`)
}

export function Layout(props: {
  path: string
  title: string
  /** The logged-in principal and how to log out; null when the broker has no users. */
  user: { principal: string; logout: () => void } | null
  /** False on the login page: no navigation (and none of its API calls) before a login. */
  navigation: boolean
  children: ComponentChildren
}) {
  const [apiPaths, setApiPaths] = useState<string[]>([])
  const [services, setServices] = useState<Services | null>(null)
  useEffect(() => {
    if (!props.navigation) return
    api.openApiPaths().then(setApiPaths, () => setApiPaths([]))
    servicesApi.services().then(setServices, () => setServices(null))
  }, [props.navigation])
  useEffect(() => {
    document.title = `${props.title} · Streamline`
  }, [props.title])
  const visible = navItems.filter(
    (item) =>
      (item.requiresApi === undefined || apiPaths.some((path) => path.startsWith(item.requiresApi ?? ''))) &&
      (item.requiresService === undefined || services?.[item.requiresService].enabled === true),
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
        {props.navigation ? (
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
        ) : (
          <span class="spacer" />
        )}
        {props.user === null ? null : (
          <span class="user">
            <span data-testid="principal">{props.user.principal}</span>{' '}
            <button type="button" onClick={props.user.logout}>
              Log out
            </button>
          </span>
        )}
        <ThemeToggle />
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  )
}
