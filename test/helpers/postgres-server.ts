// The tests' side of postgres-process.ts (a real PostgreSQL server from Debian's package):
// `requirePostgres()` gives node:test's `skip` value, failing instead under CI=true like
// test/helpers/clients.ts.
import { test } from 'node:test'
import { postgresProblem } from './postgres-process.ts'

export { type PostgresServer, postgresProblem, startPostgres } from './postgres-process.ts'

/** node:test's `skip` value: false, a skip message, or (CI=true) a failing test and a skip. */
export function requirePostgres(): false | string {
  const problem = postgresProblem()
  if (problem === null) return false
  if (process.env.CI === 'true') {
    test('PostgreSQL is installed', () => {
      throw new Error(problem)
    })
  }
  return problem
}
