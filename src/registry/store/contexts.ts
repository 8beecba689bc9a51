// Contexts, as Confluent's QualifiedSubject defines them: a subject `:.ctx:name` lives in context
// `.ctx`; a subject without the prefix lives in the default context `.`. Each context has its own id
// space (ids start at 1 in each; state.ts), its own subjects, and `/contexts` lists them. A request
// may also name its context in the URL (`/contexts/.ctx/subjects/name/versions`), which Confluent's
// ContextFilter rewrites to the qualified subject (`/subjects/:.ctx:name/versions`); so do we.

import { badRequest } from '../errors.ts'

export const defaultContext = '.'
const contextPrefix = ':.'
/** The reserved context `.__GLOBAL`: it holds no subjects, only config and mode that apply across
 * every context (below a subject's and its context's own). */
export const globalContext = '.__GLOBAL'
/** The scope (config / mode key) of the `.__GLOBAL` context. */
export const globalContextScope = ':.__GLOBAL:'
/** Confluent's wildcard context (QualifiedSubject.CONTEXT_WILDCARD): `:*:name` is `name` in any context. */
export const contextWildcard = ':*:'

/** The context of a (possibly qualified) subject: `.ctx` for `:.ctx:name`, `.` otherwise. */
export function contextOf(subject: string): string {
  if (!subject.startsWith(contextPrefix)) return defaultContext
  const end = subject.indexOf(':', contextPrefix.length)
  return end < 0 ? subject.slice(1) : subject.slice(1, end)
}

/** True for a context's own scope `:.ctx:` (its config and mode), `:.__GLOBAL:` included. */
export function isScope(subject: string): boolean {
  return subject.startsWith(contextPrefix) && subject.endsWith(':') && unqualifiedName(subject) === ''
}

/** The subject name without its context prefix. */
export function unqualifiedName(subject: string): string {
  if (!subject.startsWith(contextPrefix)) return subject
  const end = subject.indexOf(':', contextPrefix.length)
  return end < 0 ? '' : subject.slice(end + 1)
}

/** The `:.ctx:` prefix of a context name given as `ctx`, `.ctx` or `:.ctx:` ('' for the default). */
export function contextPrefixOf(context: string): string {
  let name = context
  if (name.startsWith(':')) name = name.slice(1)
  if (name.endsWith(':')) name = name.slice(0, -1)
  // Confluent's ContextFilter answers 400 with its ErrorMessage body ({"error_code":400,…}).
  if (name.includes(':')) throw badRequest(400, 'Context name cannot contain a colon')
  if (!name.startsWith('.')) name = `.${name}`
  return name === defaultContext ? '' : `:${name}:`
}

/** Whether Confluent accepts the subject name (QualifiedSubject.isValidSubject): no control
 * characters, not the reserved names `__GLOBAL` / `__EMPTY`, not in the reserved context `.__GLOBAL`. */
export function isValidSubject(subject: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(subject)) return false
  // The wildcard names subjects in listings only; a subject under it could never be read back.
  if (subject.startsWith(contextWildcard)) return false
  const name = unqualifiedName(subject)
  if (name === '__GLOBAL' || name === '__EMPTY') return false
  return contextOf(subject) !== globalContext
}

/**
 * Whether `subject` matches a `subjectPrefix` of the listing routes: a plain prefix, or Confluent's
 * wildcard context: `:*:` alone matches every subject of every context, `:*:abc` every subject whose
 * name (without its context) starts with `abc`, in the default context and in every other.
 */
export function matchesSubjectPrefix(subject: string, prefix: string): boolean {
  if (!prefix.startsWith(contextWildcard)) return subject.startsWith(prefix)
  return unqualifiedName(subject).startsWith(prefix.slice(contextWildcard.length))
}

const qualifies = (prefix: string, subject: string): string =>
  subject.startsWith(contextPrefix) || subject.startsWith(':*:') ? subject : `${prefix}${subject}`

/**
 * Rewrites a `/contexts/{context}/…` path as Confluent's ContextFilter does: the segment after
 * `subjects` (or after a root `config` / `mode`) is qualified with the context, a root `config` /
 * `mode` alone names the context's own; `subject` (for `/schemas/ids`) and `subjectPrefix` (for
 * `/schemas` and `/subjects`) are qualified too. Other paths (and `/contexts` itself) are left alone.
 * Throws 400 for a context name with a colon.
 */
export function rewriteContextPath(pathname: string, query: URLSearchParams): string {
  if (!pathname.startsWith('/contexts/')) return pathname
  const segments = pathname.slice(1).split('/')
  if (segments.length < 3 || segments[2] === '') return pathname // /contexts/{context}: not a filter path
  const prefix = contextPrefixOf(decodeURIComponent(segments[1]))
  const rest = segments.slice(2)
  const root = rest[0]
  if (root === 'subjects' && rest.length > 1)
    rest[1] = encodeURIComponent(qualifies(prefix, decodeURIComponent(rest[1])))
  if ((root === 'config' || root === 'mode') && prefix !== '') {
    if (rest.length > 1 && rest[1] !== '')
      rest[1] = encodeURIComponent(qualifies(prefix, decodeURIComponent(rest[1])))
    else rest[1] = encodeURIComponent(prefix)
  }
  const path = `/${rest.join('/')}`
  if (path.startsWith('/schemas/ids/')) query.set('subject', qualifies(prefix, query.get('subject') ?? ''))
  if (path === '/schemas' || path === '/subjects') {
    const prefixes = query.getAll('subjectPrefix')
    query.delete('subjectPrefix')
    for (const each of prefixes.length === 0 ? [''] : prefixes)
      query.append('subjectPrefix', qualifies(prefix, each))
  }
  return path
}

/** What contextOfId needs of the registry's state (state.ts). */
export interface IdUsers {
  readonly spaces: ReadonlyMap<string, unknown>
  usersOf(id: number, context: string): ReadonlyArray<{ subject: string }>
}

const usedBy = (state: IdUsers, id: number, context: string, subject: string): boolean =>
  state.usersOf(id, context).some((value) => value.subject === subject)

/**
 * The context of an id read for `subject`, as Confluent's getSchemaKeyUsingContexts decides: none →
 * the default context; `:.ctx:name` → context `.ctx`, and only if that subject uses the id (`:.ctx:`
 * alone: any subject there), else undefined; an unqualified name → the default context if that subject
 * uses the id there, else a context whose `:.ctx:name` does, else the default context.
 */
export function contextOfId(state: IdUsers, id: number, subject: string | null): string | undefined {
  if (subject === null || subject === '') return defaultContext
  const context = contextOf(subject)
  if (context !== defaultContext)
    return unqualifiedName(subject) === '' || usedBy(state, id, context, subject) ? context : undefined
  if (usedBy(state, id, defaultContext, subject)) return defaultContext
  for (const other of [...state.spaces.keys()].sort()) {
    if (other !== defaultContext && usedBy(state, id, other, `:${other}:${subject}`)) return other
  }
  return defaultContext
}
