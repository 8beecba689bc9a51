// Goal: on a broker with users, the console and the admin API need a login with a broker user's
// SASL/SCRAM password; the session is an HttpOnly, SameSite=Strict cookie; writes need the CSRF token;
// and the logged-in user is held to the broker's ACLs as a Kafka client is: a user sees only the topics
// it may DESCRIBE and a write it may not do gets Kafka's error (TOPIC_AUTHORIZATION_FAILED).
// Method: a broker process with a SASL_PLAINTEXT listener, a users file (admin, a super user; carol, with
// READ/DESCRIBE on one topic only), and the authorizer on. Debian's Chromium logs in with a wrong
// password, then as carol (sees one topic of three; producing is refused), logs out, and as admin (sees
// every topic). The API is checked with fetch() (401 without a cookie, 403 without the CSRF token) and
// kafkajs over SASL/SCRAM confirms the ACLs are the Kafka listener's.

import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import {
  type BrokerProcess,
  makeTempDir,
  removeTempDir,
  startBrokerProcess,
} from '../helpers/broker-process.ts'
import { freePort } from '../helpers/free-port.ts'
import {
  accessibilityViolations,
  type ConsoleBrowser,
  ensureConsoleBuilt,
  httpBaseOf,
  launchChromium,
  openPage,
  requireChromium,
  waitForCount,
} from './browser.ts'

const skip = requireChromium()
const passwords = { admin: 'admin-secret', carol: 'carol-secret' }

describe('console login and per-user ACLs in Chromium', { skip }, () => {
  let dir: string
  let broker: BrokerProcess
  let base: string
  let chromium: ConsoleBrowser
  let adminKafka: Kafka

  before(async () => {
    ensureConsoleBuilt()
    dir = await makeTempDir('streamline-console-login-')
    const usersFile = join(dir, 'users.yaml')
    await writeFile(
      usersFile,
      `users:\n  admin:\n    password: ${passwords.admin}\n  carol:\n    password: ${passwords.carol}\n    mechanisms: [SCRAM-SHA-256]\n`,
    )
    const port = await freePort()
    broker = await startBrokerProcess({
      args: [
        '--security-listeners',
        `SASL_PLAINTEXT://127.0.0.1:${port}`,
        '--auth-users-file',
        usersFile,
        '--security-authorizer',
        '--security-super-users',
        'User:admin',
      ],
    })
    base = httpBaseOf(broker)
    adminKafka = new Kafka({
      clientId: 'console-login',
      brokers: [`127.0.0.1:${port}`],
      sasl: { mechanism: 'scram-sha-256', username: 'admin', password: passwords.admin },
      logLevel: logLevel.NOTHING,
    })
    const admin = adminKafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: ['carol-orders', 'secret-payroll', 'secret-hr'].map((topic) => ({ topic })),
    })
    await admin.createAcls({
      acl: [3, 8].map((operation) => ({
        resourceType: 2,
        resourceName: 'carol-orders',
        resourcePatternType: 3,
        principal: 'User:carol',
        host: '*',
        operation,
        permissionType: 3,
      })),
    })
    await admin.disconnect()
    chromium = await launchChromium()
  })

  after(async () => {
    await chromium?.close()
    await broker?.stop()
    if (dir !== undefined) await removeTempDir(dir)
  })

  test('the API needs a session cookie, and writes the CSRF token', async () => {
    const open = await fetch(`${base}/api/v1/session`)
    assert.deepEqual(await open.json(), { authentication: true, principal: null, csrfToken: null })
    const refused = await fetch(`${base}/api/v1/topics`)
    assert.equal(refused.status, 401)
    assert.equal(((await refused.json()) as { code: string }).code, 'UNAUTHENTICATED')
    const wrong = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: 'nope' }),
    })
    assert.equal(wrong.status, 401)
    assert.equal(((await wrong.json()) as { code: string }).code, 'SASL_AUTHENTICATION_FAILED')
    // Malformed logins: 400 INVALID_REQUEST, and the port keeps serving.
    for (const body of [
      '{"username": ',
      '{"username": "carol"}',
      '{"username": "", "password": "x"}',
      '[]',
    ]) {
      const malformed = await fetch(`${base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      assert.equal(malformed.status, 400, body)
    }
    const login = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: passwords.carol }),
    })
    assert.equal(login.status, 200)
    const setCookie = login.headers.get('set-cookie') ?? ''
    assert.match(
      setCookie,
      /^streamline_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/,
    )
    const { principal, csrfToken } = (await login.json()) as { principal: string; csrfToken: string }
    assert.equal(principal, 'User:carol')
    const cookie = setCookie.split(';')[0]
    const topics = (await (await fetch(`${base}/api/v1/topics`, { headers: { cookie } })).json()) as {
      topics: Array<{ name: string }>
    }
    assert.deepEqual(
      topics.topics.map((topic) => topic.name),
      ['carol-orders'],
    )
    // The overview's counts cover only what carol may DESCRIBE too.
    const overview = (await (await fetch(`${base}/api/v1/cluster`, { headers: { cookie } })).json()) as {
      topics: number
    }
    assert.equal(overview.topics, 1)
    const hidden = await fetch(`${base}/api/v1/topics/secret-payroll`, { headers: { cookie } })
    assert.equal(hidden.status, 403)
    assert.equal(((await hidden.json()) as { code: string }).code, 'TOPIC_AUTHORIZATION_FAILED')
    const produce = (headers: Record<string, string>) =>
      fetch(`${base}/api/v1/topics/carol-orders/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, ...headers },
        body: JSON.stringify({ messages: [{ value: 'x' }] }),
      })
    const noToken = await produce({})
    assert.equal(noToken.status, 403)
    assert.equal(((await noToken.json()) as { code: string }).code, 'CSRF_TOKEN_INVALID')
    const noAcl = await produce({ 'x-csrf-token': csrfToken })
    assert.equal(noAcl.status, 403)
    assert.equal(((await noAcl.json()) as { code: string }).code, 'TOPIC_AUTHORIZATION_FAILED')
    const logout = await fetch(`${base}/api/v1/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken },
    })
    assert.equal(logout.status, 204)
    assert.equal((await fetch(`${base}/api/v1/topics`, { headers: { cookie } })).status, 401)
  })

  test('log in (a wrong password first), see only permitted topics, a refused write, log out', async () => {
    const { page, problems, screenshot } = await openPage(chromium.browser)
    await page.goto(`${base}/topics`)
    const form = page.getByRole('form', { name: 'Log in' })
    await form.getByLabel('User name').fill('carol')
    await form.getByLabel('Password').fill('wrong-password')
    await form.getByRole('button', { name: 'Log in' }).click()
    await form.getByRole('alert').filter({ hasText: 'SASL_AUTHENTICATION_FAILED' }).waitFor()
    await screenshot('login')
    await form.getByLabel('Password').fill(passwords.carol)
    await form.getByRole('button', { name: 'Log in' }).click()
    await page.getByTestId('principal').filter({ hasText: 'User:carol' }).waitFor()
    // The session cookie is invisible to the page's scripts.
    assert.equal(await page.evaluate('document.cookie'), '')
    await page.getByRole('heading', { name: 'Topics' }).waitFor()
    const rows = page.locator('main table tbody tr')
    await waitForCount(rows, 1)
    assert.match(await rows.first().innerText(), /^carol-orders/)
    // Producing needs WRITE, which carol lacks: Kafka's error is shown.
    await page.goto(`${base}/topics/carol-orders/messages`)
    await page.getByRole('button', { name: 'Produce a message' }).click()
    const produce = page.getByRole('form', { name: 'Produce a message' })
    await produce.getByLabel('Value', { exact: true }).fill('not allowed')
    await produce.getByRole('button', { name: 'Produce' }).click()
    await produce.getByRole('alert').filter({ hasText: 'TOPIC_AUTHORIZATION_FAILED' }).waitFor()
    await screenshot('refused-write')
    const admin = adminKafka.admin()
    await admin.connect()
    const offsets = await admin.fetchTopicOffsets('carol-orders')
    await admin.disconnect()
    assert.deepEqual(
      offsets.map((offset) => offset.high),
      ['0'],
    )
    // A page without the ACL is refused, not shown.
    await page.goto(`${base}/topics/secret-payroll`)
    await page.getByRole('alert').filter({ hasText: 'TOPIC_AUTHORIZATION_FAILED' }).waitFor()
    assert.deepEqual(await accessibilityViolationsOfLogin(), [])
    // Log out: the login form is back, and the API refuses the old cookie.
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('form', { name: 'Log in' }).waitFor()
    // Log in as the super user: every topic.
    await page.getByLabel('User name').fill('admin')
    await page.getByLabel('Password').fill(passwords.admin)
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.getByTestId('principal').filter({ hasText: 'User:admin' }).waitFor()
    await page.goto(`${base}/topics`)
    await waitForCount(page.locator('main table tbody tr'), 3)
    // Failed responses provoked on purpose: the wrong password (401) and the refused calls (403).
    assert.deepEqual(
      problems.filter((problem) => !/status of 40[13]/.test(problem)),
      [],
    )
    await page.context().close()
  })

  /** The login page passes axe-core (its own context: axe is injected, which the CSP refuses). */
  async function accessibilityViolationsOfLogin(): Promise<string[]> {
    const { page } = await openPage(chromium.browser, { bypassCsp: true })
    await page.goto(`${base}/`)
    await page.getByRole('form', { name: 'Log in' }).waitFor()
    const violations = await accessibilityViolations(page)
    await page.context().close()
    return violations
  }
})
