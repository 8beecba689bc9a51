// Goal: `streamline-cli shell` and `top` in a real pseudo-terminal: keys typed, screen asserted.
// Method: tmux (Debian package; CI installs it, and a missing tmux fails there) on a private socket
// runs the bundled CLI against a broker process; send-keys types, capture-pane reads the screen,
// polled until the expected text shows (bounded).
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { type BrokerProcess, startBrokerProcess } from '../helpers/broker-process.ts'
import { type CliHarness, startCliHarness } from './cli-harness.ts'

const run = promisify(execFile)
const socket = `streamline-cli-test-${process.pid}`
const screenWaitMs = 60_000

function tmuxMissing(): string | null {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' })
    return null
  } catch {
    return 'tmux is not installed (apt-get install tmux)'
  }
}
const missing = tmuxMissing()
if (missing !== null && process.env.CI === 'true') throw new Error(missing)

async function tmux(...args: string[]): Promise<string> {
  return (await run('tmux', ['-L', socket, ...args])).stdout
}

async function screen(session: string): Promise<string> {
  return tmux('capture-pane', '-t', session, '-p')
}

async function waitForScreen(session: string, expected: RegExp): Promise<string> {
  const deadline = Date.now() + screenWaitMs
  let last = ''
  while (Date.now() < deadline) {
    last = await screen(session)
    if (expected.test(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  assert.fail(`screen never matched ${expected}:\n${last}`)
}

async function waitForSessionEnd(session: string): Promise<void> {
  const deadline = Date.now() + screenWaitMs
  while (Date.now() < deadline) {
    if (
      (await tmux('has-session', '-t', session).then(
        () => true,
        () => false,
      )) === false
    )
      return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  assert.fail(`${session} did not end`)
}

async function keys(session: string, ...typed: string[]): Promise<void> {
  for (const key of typed) {
    await tmux(
      'send-keys',
      '-t',
      session,
      ...(key.length > 1 && /^[A-Z]/.test(key) ? [key] : ['-l', '--', key]),
    )
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
}

describe('streamline-cli in a terminal (tmux)', { skip: missing ?? false }, () => {
  let broker: BrokerProcess
  let cli: CliHarness
  let command: (args: string) => string

  before(async () => {
    ;[broker, cli] = await Promise.all([startBrokerProcess(), startCliHarness()])
    const http = /"http":"([^"]+)"/.exec(broker.output())?.[1] ?? ''
    command = (args) =>
      `env STREAMLINE_CLI_HOME=${cli.home} TZ=UTC ${process.execPath} ${cli.entry} -b ${broker.bootstrap} --http ${http} ${args}`
    await cli.run(['-b', broker.bootstrap, 'topics', 'create', 'orders', '--partitions', '2'])
    await cli.run(['-b', broker.bootstrap, 'topics', 'create', 'payments'])
    await cli.run(['-b', broker.bootstrap, 'produce', 'orders', '-p', '0', '-m', 'first', '-m', 'second'])
    await cli.run(['-b', broker.bootstrap, 'consume', 'orders', '--group', 'billing', '-n', '1'])
  })
  after(async () => {
    await tmux('kill-server').catch(() => '')
    await Promise.all([broker?.stop(), cli?.close()])
  })

  it('shell: runs commands, completes with Tab, keeps history, exits', async () => {
    await tmux('new-session', '-d', '-s', 'shell', '-x', '100', '-y', '30', command('shell'))
    await waitForScreen('shell', /streamline> ?$/m)
    await keys('shell', 'topi', 'Tab')
    await waitForScreen('shell', /streamline> topics ?$/m)
    await keys('shell', 'li', 'Tab', 'Enter')
    const listed = await waitForScreen('shell', /payments +1\n/)
    assert.match(listed, /streamline> topics list\nTOPIC +PARTITIONS\norders +2\npayments +1\n/)
    await keys('shell', 'consume pay', 'Tab')
    await waitForScreen('shell', /streamline> consume payments ?$/m)
    await keys('shell', 'C-u', 'consume orders -p 0 --show-offsets', 'Enter')
    const consumed = await waitForScreen('shell', /consumed 2 records from orders/)
    assert.match(consumed, /0:0 +first\n0:1 +second\nconsumed 2 records from orders in \d+\.\d\d s\n/)
    await keys('shell', 'Up')
    await waitForScreen('shell', /streamline> consume orders -p 0 --show-offsets$/m)
    await keys('shell', 'C-u', 'exit', 'Enter')
    await waitForSessionEnd('shell')
    const history = await cli.run(['history', '--format', 'json'])
    const entries = (JSON.parse(history.stdout) as { history: { args: string[] }[] }).history.map((entry) =>
      entry.args.join(' '),
    )
    assert.ok(entries.includes('topics list'), entries.join('\n'))
    assert.ok(entries.includes('consume orders -p 0 --show-offsets'))
  })

  it('top: shows topics and groups, switches panels, sorts, filters, quits with q', async () => {
    await tmux(
      'new-session',
      '-d',
      '-s',
      'top',
      '-x',
      '110',
      '-y',
      '20',
      `${command('top --interval 500ms')}; sleep 30`,
    )
    const first = await waitForScreen('top', /orders +2 +2/)
    assert.match(first, /^streamline top {2}\S+ {2}connections \d+/)
    assert.match(first, /\[TOPICS\] \[groups\] {2}sort: name {2}filter: -/)
    assert.match(first, /> +orders +2 +2 /)
    assert.match(first, /\n +payments +1 +0 /)
    assert.match(first, /q quit {2}Tab topics\/groups {2}s sort {2}\/ filter/)
    await keys('top', 'Tab')
    const groups = await waitForScreen('top', /\[topics\] \[GROUPS\]/)
    assert.match(groups, /> +billing +EMPTY +0 +1/)
    await keys('top', 'Tab', 's')
    await waitForScreen('top', /sort: rate/)
    await keys('top', '/', 'pay')
    await waitForScreen('top', /filter: pay_/)
    await keys('top', 'Enter')
    const filtered = await waitForScreen('top', /filter: pay\n/)
    assert.doesNotMatch(filtered, /orders/)
    assert.match(filtered, /> +payments/)
    await keys('top', 'q')
    const after = await waitForScreen('top', /^\s*$/)
    assert.doesNotMatch(after, /streamline top/) // the alternate screen is gone: the terminal is back
  })
})
